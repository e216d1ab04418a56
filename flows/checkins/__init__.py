"""Check-ins: when they are due (`schedule`, pure), where they are scheduled, sent and answered
(`jobs`), and the weekly digest (`digest` builds it from plain values, `digest_job` posts it)."""
