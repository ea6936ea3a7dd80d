"""Reelay: a self-hosted video generation gateway that speaks Runway's APIs."""

__version__ = "0.1.0"
