"""Handling one message around the engine: the plain message objects adapters produce, the
runner (persist, screen, step, prepare effects, commit), effect preparation, analysis ahead."""
