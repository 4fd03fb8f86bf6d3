"""carescore's HTTP API: powertools routes -> logic -> data access (DynamoDB, S3)."""
