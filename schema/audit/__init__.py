"""The audit trail in the schema: ``auditTrail(personId)`` for stewards."""
