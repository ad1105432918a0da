"""The audit trail: actions and reads of person records, in the public schema."""
