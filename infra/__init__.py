"""Local stack and deployment helpers, built from template.yaml."""
