"""Code used by more than one function: AWS clients, DynamoDB items, domain errors and
records, support levels, the model registry and versioned config."""
