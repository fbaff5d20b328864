"""The machinery every resource of the API shares, one concept per module.

ARCHITECTURE.md at the top of the repository draws the layers and says which module a change
belongs in.
"""
