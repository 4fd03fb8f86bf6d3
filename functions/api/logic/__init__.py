"""Domain rules: support levels, task lifecycle, scoring orchestration. No HTTP, no boto3."""
