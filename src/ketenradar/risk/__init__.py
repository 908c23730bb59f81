"""Pure indicator functions: EC criticality, country risk, concentration, outlook."""
