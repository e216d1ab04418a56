"""A filed report's life: routing by the city's rules, reference codes, what moderators do
(acknowledge, reroute, ask, resolve), notices to moderators."""
