"""ketenradar: critical raw materials, country risk and value-chain exposure for defence."""

__version__ = "0.1.0"
