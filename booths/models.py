"""Booths (sponsor, invited, workshop, affinity, social, self-organised): see the booths issue."""
