# %% [markdown]
# # First steps with ketenradar
#
# This tutorial runs top to bottom (the test suite executes it). It uses the library directly;
# every step has a command-line twin, named in the comments.

# %%
from pathlib import Path

import ketenradar
from ketenradar.reports.context import demo_chain_path, demo_scenario_path

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
catalogue = ketenradar.defence_catalogue()
chain = ketenradar.open_chain(demo_chain_path(), None, catalogue)
exposure = ketenradar.chain_exposure(chain, catalogue)
gallium = exposure.result.shares.query("material == 'gallium' and stage == 'processing'")
print(gallium.to_string(index=False))
print(exposure.result.visibility.to_string(index=False))
# Every result says where it comes from: datasets with checksums, the chain file, the settings.
print([d["id"] for d in exposure.to_json()["provenance"]["datasets"]])

# %% [markdown]
# ## 4. A disruption (`ketenradar scenario run`)
#
# China's gallium and germanium export licensing as a stress test: availability of every item
# and platform, and what limits it.

# %%
scenario = ketenradar.load_scenario(demo_scenario_path(), catalogue)
result = ketenradar.run_on_chain(chain, scenario, catalogue).result
print(result.platforms.to_string(index=False))
assert (result.platforms["availability"] < 1).all()

# %% [markdown]
# ## 5. The report (`ketenradar demo`), in English or Dutch (`ketenradar --lang nl demo`)

# %%
from ketenradar.reports.demo import run_demo

index = run_demo(Path("ketenradar-report"))
print(f"open {index}")
