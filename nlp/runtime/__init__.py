"""Loading the models once per process: the sentence encoders, spaCy, and the OpenMP wait
policy that must be set before torch loads."""
