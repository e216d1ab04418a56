"""The project's own written examples (CSV, beside this file) and the code that fits the shipped
heads from them (`cpps train`)."""
