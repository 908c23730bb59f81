"""Reports: sections that render the services' results, and their renderers.

HTML now; PDF and Excel follow the same section model.
"""
