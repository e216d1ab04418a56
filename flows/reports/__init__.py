"""A filed report's life: routing by the city's rules, reference codes, what moderators do
(`moderation`: acknowledge, reroute, ask, reply, resolve, spam) and see (`desk`), notices to
moderators."""
