"""Tests of the HTTP query service (query_service/)."""
