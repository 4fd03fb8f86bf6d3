"""The API function's data access: tasks (DynamoDB), dataset uploads (S3), and the
serving caches of the active model and thresholds."""
