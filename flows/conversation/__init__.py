"""The conversation itself, pure: the engine, its state, events and effects, the intake flow
(flow file and catalogue of wording), keywords and tolerant answer reading."""
