"""Quality figures on labelled files (`cpps eval …`, the benchmarks): routing, redaction,
urgency and resident-style SMS."""
