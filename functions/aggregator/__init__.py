"""The aggregator function: turns the tasks table's stream into trend counts and account
risk in the aggregates table, and announces accounts that become at risk."""
