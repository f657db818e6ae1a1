"""Offline stand-ins for the vendor APIs, faithful to the vendors' published documents.

The sandbox never imports product code: it is the vendor, not the client.
"""
