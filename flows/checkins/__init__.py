"""Follow-ups: when check-ins are due (pure), the clock's jobs that send them and read answers,
the weekly digest."""
