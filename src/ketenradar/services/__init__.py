"""The one way in: load reference data, call the core, return a result with its provenance.

Each service returns a frozen result that carries its provenance and whose ``to_json()`` is the
JSON contract. The command line (and later the REST API, the dashboard and the reports) parse
their input, call a service and format its result; they compute nothing themselves.
"""
