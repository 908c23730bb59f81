# %% [markdown]
# # First steps with ketenradar
#
# This tutorial runs top to bottom (the test suite executes it). It uses the library directly;
# every step has a command-line twin, named in the comments.

# %%
from pathlib import Path

import ketenradar
from ketenradar import refdata
from ketenradar.chains import analyse_exposure, analyse_scenario
from ketenradar.demo import demo_chain_path, demo_scenario_path
from ketenradar.ingest.scenario_file import read_scenario
from ketenradar.ingest.workbook import read_chain_workbook

# %% [markdown]
# ## 1. The 34 EU critical raw materials (`ketenradar materials`)
#
# Published EC 2023 supply risk (SR) and economic importance (EI), and SR recomputed with the
# EC method from the EC's own inputs. A computed value is missing, with a reason, when an input
# is missing.

# %%
overview = ketenradar.build_material_overview()
table = overview.materials[["sr_published", "sr_computed", "ei_published", "sr_unavailable_reason"]]
print(table.sort_values("sr_published", ascending=False).head(8).round(2).to_string())
assert len(overview.materials) == 34

# %% [markdown]
# ## 2. Country risk (`ketenradar countries`)
#
# Weighted mean of WGI, OECD class, Fragile States Index (and Atradius STAR from your own file),
# each scaled to 0..1. Missing indicators renormalise the weights and are listed.

# %%
countries = ketenradar.build_country_overview().countries
print(countries.loc[["CHN", "RUS", "USA", "NLD"], ["composite_risk", "missing_indicators"]].to_string())

# %% [markdown]
# ## 3. A value chain (`ketenradar chain exposure`)
#
# The shipped example: a frigate and a fighter (quantities illustrative). Exposure gives, per
# platform, the material content and the countries each material comes from, from the chain's
# own sourcing where known and from world shares where not.

# %%
catalogue = refdata.load_materials().with_materials(refdata.load_defence_materials_extra())
chain = read_chain_workbook(demo_chain_path(), list(catalogue))
exposure = analyse_exposure(chain, catalogue)
gallium = exposure.shares.query("material == 'gallium' and stage == 'processing'")
print(gallium.to_string(index=False))
print(exposure.visibility.to_string(index=False))

# %% [markdown]
# ## 4. A disruption (`ketenradar scenario run`)
#
# China's gallium and germanium export licensing as a stress test: availability of every item
# and platform, and what limits it.

# %%
scenario = read_scenario(demo_scenario_path(), list(catalogue))
result = analyse_scenario(chain, scenario, catalogue)
print(result.platforms.to_string(index=False))
assert (result.platforms["availability"] < 1).all()

# %% [markdown]
# ## 5. The report (`ketenradar demo`)

# %%
from ketenradar.demo import run_demo

index = run_demo(Path("ketenradar-report"))
print(f"open {index}")
