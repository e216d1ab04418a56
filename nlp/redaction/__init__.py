"""Personal data found and redacted, and what is never redacted: protected characteristics,
public places, officers' references (kept by `nlp.officers`)."""
