"""Pieces every vendor sandbox shares: clock, ids, fault injection, the server thread."""
