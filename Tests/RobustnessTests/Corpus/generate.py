#!/usr/bin/env python3
# CellSim — RobustnessTests/Corpus/generate.py
#
# Regenerates the malformed-input corpus and its manifest from the shipped cell files:
#
#     python3 Tests/RobustnessTests/Corpus/generate.py
#
# cells/      cell files of the three chemistries with one field removed, mistyped, "NaN", 0, negative
#             or huge (each mutation the reader must reject, naming the field), and broken JSON
# protocols/  protocol texts that do not parse, or parse but cannot run
# junk/       CSV-ish and binary junk, given both as a cell file and as a protocol file
# manifest.json  every case: kind, file, expected exit status, texts the message must contain;
#             "args" cases are command lines (flags) run through the executable only.
#
# Expected statuses follow CellSimCommand.swift: 1 bad input, 2 usage error, 3 solver failure.

import copy
import json
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
CELLS = {
    "li": ("lithium-ion", "Chen2020"),
    "ssb": ("solid-state", "Li_LPSCl_NMC811"),
    "lis": ("lithium-sulfur", "Marinescu2016"),
}
HEADER = {"schema", "chemistry", "name", "description", "sources"}
TEXT_FIELDS = {"kind", "formula", "layout", "name", "role", "pore_filler", "material", "nominal_capacity_source"}
MUTATIONS = ["remove", "text", "nanstr", "neg", "zero", "huge"]
VALUES = {"text": "12 um", "nanstr": "NaN", "neg": -1.5, "zero": 0, "huge": 1e300}
# Mutations each reader accepts (0 is a valid resistance, a negative activation energy is allowed,
# thermal conductivities are optional, …): never written as malformed cases.
ACCEPTED = {
    "li": {
        "cell.contact_resistance_Ohm:zero", "cell.thermal.heat_transfer_coefficient_W_m2_K:zero",
        "negative.bruggeman_electrode:zero", "negative.bruggeman_electrolyte:zero", "negative.entropic_change_V_K:neg",
        "negative.entropic_change_V_K:zero", "negative.exchange_current_density_A_m2.activation_energy_J_mol:neg",
        "negative.exchange_current_density_A_m2.activation_energy_J_mol:zero", "negative.initial_concentration_mol_m3:zero",
        "negative.thermal_conductivity_W_m_K:remove", "positive.bruggeman_electrode:zero",
        "positive.bruggeman_electrolyte:zero", "positive.entropic_change_V_K:neg", "positive.entropic_change_V_K:zero",
        "positive.exchange_current_density_A_m2.activation_energy_J_mol:neg",
        "positive.exchange_current_density_A_m2.activation_energy_J_mol:zero", "positive.initial_concentration_mol_m3:zero",
        "positive.thermal_conductivity_W_m_K:remove", "separator.bruggeman_electrolyte:zero",
        "separator.thermal_conductivity_W_m_K:remove", "negative.density_kg_m3:remove",
        "negative.specific_heat_J_kg_K:remove", "positive.density_kg_m3:remove", "positive.specific_heat_J_kg_K:remove",
        "separator.density_kg_m3:remove", "separator.specific_heat_J_kg_K:remove",
    },
    "lis": {
        "precipitation.rate_constant_per_s:zero", "shuttle.rate_constant_charge_per_s:zero",
        "shuttle.rate_constant_discharge_per_s:zero", "stack.layers.0.thickness_m:zero",
        "stack.layers.0.volume_fractions.Al:zero", "stack.layers.1.porosity:zero", "stack.layers.1.thickness_m:zero",
        "stack.layers.2.thickness_m:zero", "stack.layers.2.volume_fractions.PE:zero", "stack.layers.3.thickness_m:zero",
        "stack.layers.3.volume_fractions.electrolyte:zero", "stack.layers.4.thickness_m:zero",
        "stack.layers.4.volume_fractions.Li:zero",
    },
    "ssb": {
        "negative.interface_resistance_Ohm_m2:zero", "positive.conductive_additive_volume_fraction:zero",
        "positive.interface_resistance_Ohm_m2:zero", "positive.ocp_V:neg", "positive.ocp_V:zero",
        "positive.surface_stoichiometry_min:zero", "stack.layers.0.thickness_m:zero",
        "stack.layers.0.volume_fractions.Al:zero", "stack.layers.1.volume_fractions.Li6PS5Cl:remove",
        "stack.layers.1.volume_fractions.Li6PS5Cl:zero", "stack.layers.1.volume_fractions.VGCF:remove",
        "stack.layers.1.volume_fractions.VGCF:zero", "stack.layers.2.volume_fractions.Li6PS5Cl:zero",
        "stack.layers.3.volume_fractions.Li:zero", "stack.layers.4.thickness_m:zero",
        "stack.layers.4.volume_fractions.Cu:zero",
    },
}
# Huge values the readers reject (others are accepted and run into a clean solver failure instead).
HUGE_REJECTED = {
    "li": {"cell.lower_cutoff_V", "negative.porosity", "positive.thickness_m", "separator.porosity",
           "negative.initial_concentration_mol_m3", "electrolyte.transference_number"},
    "ssb": {"cell.lower_cutoff_V", "positive.stoichiometry_at_soc_0", "separator.thickness_m",
            "stack.layers.1.thickness_m"},
    "lis": {"cell.lower_cutoff_V", "stack.layers.1.porosity"},
}


def leaves(value, path):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, path + [key])
    elif isinstance(value, list):
        if all(isinstance(x, str) for x in value):
            return
        for i, item in enumerate(value):
            yield from leaves(item, path + [str(i)])
    else:
        yield path, value


def edit(tree, path, mutation):
    tree = copy.deepcopy(tree)
    node = tree
    for part in path[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    last = path[-1]
    if mutation == "remove":
        del node[last]
    else:
        node[last] = VALUES[mutation]
    return tree


def slim(tree):
    """The shipped file with a one-line description and source, to keep the corpus small."""
    tree["description"] = "robustness corpus case derived from " + tree["name"]
    tree["sources"] = ["see CellParams/"]
    if "nominal_capacity_source" in tree.get("cell", {}):
        tree["cell"]["nominal_capacity_source"] = "see CellParams/"
    return tree


def mention(path):
    """The path an error message names for a mutation at `path`: a stack layer is named as a whole
    (fractions are checked together), an Arrhenius object's value as the function field."""
    if path[:2] == ["stack", "layers"]:
        return display(path[:3])
    if path[-1] == "value":
        return display(path[:-1])
    return display(path)


def display(path):
    text = ""
    for part in path:
        text += f"[{part}]" if part.isdigit() else (("." if text else "") + part)
    return text


def dump(tree):
    return json.dumps(tree, separators=(",", ":"), ensure_ascii=False) + "\n"


def main():
    for sub in ("cells", "protocols", "junk"):
        shutil.rmtree(os.path.join(HERE, sub), ignore_errors=True)
        os.makedirs(os.path.join(HERE, sub))
    manifest = []

    def write(sub, name, text, binary=False):
        with open(os.path.join(HERE, sub, name), "wb" if binary else "w", encoding=None if binary else "utf-8") as f:
            f.write(text)
        return f"{sub}/{name}"

    # --- Cell files: one rejected mutation per field, rotating through the mutations. ---
    for short, (chemistry, name) in CELLS.items():
        with open(os.path.join(ROOT, "CellParams", chemistry, name + ".json"), encoding="utf-8") as f:
            base = slim(json.load(f))
        index = 0
        for path, value in leaves(base, []):
            if path[0] in HEADER or (isinstance(value, str) and path[-1] in TEXT_FIELDS):
                continue
            dotted = ".".join(path)
            order = MUTATIONS[index % len(MUTATIONS):] + MUTATIONS[:index % len(MUTATIONS)]
            index += 1
            for mutation in order:
                if f"{dotted}:{mutation}" in ACCEPTED[short]:
                    continue
                if mutation == "huge" and dotted not in HUGE_REJECTED[short]:
                    continue
                if mutation == "zero" and path[0] == "stack":
                    continue  # empty layers and absent materials are allowed
                if mutation == "remove" and path[-2].endswith("fractions"):
                    siblings = base
                    for part in path[:-1]:
                        siblings = siblings[int(part)] if isinstance(siblings, list) else siblings[part]
                    if len(siblings) > 1:
                        continue  # a layer of several materials may list fewer
                if mutation in ("neg", "zero", "huge") and isinstance(value, str):
                    # An expression field set to a number is a constant function: often valid.
                    if dotted.endswith("ocp_V") or "exchange_current" in dotted or "diffusivity" in dotted:
                        continue
                file = f"{short}-{dotted.replace('.', '-')}-{mutation}.json"
                manifest.append({
                    "id": file[:-5], "kind": "cell", "file": write("cells", file, dump(edit(base, path, mutation))),
                    "status": 1, "mentions": [file, mention(path)],
                })
                break

    # --- Cell files: broken as a whole. ---
    chen_text = open(os.path.join(ROOT, "CellParams/lithium-ion/Chen2020.json"), encoding="utf-8").read()
    chen = slim(json.loads(chen_text))
    ssb = slim(json.loads(open(os.path.join(ROOT, "CellParams/solid-state/Li_LPSCl_NMC811.json"), encoding="utf-8").read()))
    lis = slim(json.loads(open(os.path.join(ROOT, "CellParams/lithium-sulfur/Marinescu2016.json"), encoding="utf-8").read()))

    def whole(file, text, mentions, binary=False, status=1):
        manifest.append({"id": file.rsplit(".", 1)[0], "kind": "cell", "file": write("cells", file, text, binary),
                         "status": status, "mentions": [file] + mentions})

    whole("empty.json", "", ["invalid JSON", "line 1, column 1"])
    whole("whitespace.json", "   \n\t\n", ["invalid JSON", "line 3"])
    whole("truncated.json", chen_text[:400], ["invalid JSON", "line"])
    whole("truncated-in-string.json", chen_text[:chen_text.index("LG M50") + 3], ["unterminated string"])
    whole("trailing-comma-object.json", chen_text.rstrip()[:-1].rstrip() + ",\n}\n", ["trailing comma"])
    whole("missing-comma.json", chen_text.replace('"thickness_m": 1.2e-05,', '"thickness_m": 1.2e-05', 1),
          ["missing comma"])
    whole("duplicate-key.json", chen_text.replace('"porosity": 0.47,', '"porosity": 0.47,\n    "porosity": 0.5,', 1),
          ["duplicate member", "porosity"])
    whole("single-quotes.json", chen_text.replace('"schema"', "'schema'", 1), ["invalid JSON", "line 2"])
    whole("comment.json", "// a cell\n" + chen_text, ["invalid JSON", "line 1, column 1"])
    whole("nan-literal.json", chen_text.replace('"porosity": 0.47', '"porosity": NaN', 1), ["invalid JSON"])
    whole("infinity-literal.json", chen_text.replace('"porosity": 0.47', '"porosity": Infinity', 1), ["invalid JSON"])
    whole("number-overflow.json", chen_text.replace('"thickness_m": 1.2e-05', '"thickness_m": 1e400', 1),
          ["out of range", "1e400"])
    whole("leading-zero.json", chen_text.replace('"porosity": 0.47', '"porosity": 00.47', 1), ["leading zero"])
    whole("bad-escape.json", chen_text.replace('"name": "Chen2020"', '"name": "Chen\\q2020"', 1), ["invalid escape"])
    whole("control-char.json", chen_text.replace('"name": "Chen2020"', '"name": "Chen\t2020"', 1),
          ["control character"])
    whole("deep-nesting.json", "[" * 5000 + "]" * 5000, ["nesting deeper than 512"])
    whole("top-level-array.json", "[" + chen_text + "]", ["must be a JSON object"])
    whole("top-level-null.json", "null\n", ["must be a JSON object"])
    whole("top-level-number.json", "3.7\n", ["must be a JSON object"])
    whole("top-level-string.json", '"Chen2020.json"\n', ["must be a JSON object"])
    whole("two-documents.json", chen_text + chen_text, ["after the end of the JSON value"])
    whole("bom-garbage.json", b"\xef\xbb\xbf\x00\x01\x02garbage", ["invalid JSON"], binary=True)
    whole("latin1.json", chen_text.replace("O'Regan", "O'R\u00e9gan").encode("latin-1", "replace"),
          ["UTF-8"], binary=True)
    whole("binary.json", bytes(range(256)), ["UTF-8"], binary=True)
    whole("empty-object.json", "{}\n", ["schema: missing", "chemistry: missing"])

    def tree_case(file, tree, mentions):
        whole(file, dump(tree), mentions)

    t = copy.deepcopy(chen); t["schema"] = "cellsim.cell/2"
    tree_case("schema-version.json", t, ["schema", "unsupported schema"])
    t = copy.deepcopy(chen); t["chemistry"] = "lithium-ion-polymer"
    tree_case("unknown-chemistry.json", t, ["chemistry", "unknown chemistry"])
    t = copy.deepcopy(chen); t["chemistry"] = "lithum-ion"
    tree_case("misspelt-chemistry.json", t, ["chemistry", "did you mean 'lithium-ion'"])
    t = copy.deepcopy(chen); t["chemistry"] = "solid-state"
    tree_case("li-ion-declared-solid-state.json", t, ["missing", "unknown field"])
    t = copy.deepcopy(ssb); t["chemistry"] = "lithium-sulfur"
    tree_case("ssb-declared-lithium-sulfur.json", t, ["missing"])
    t = copy.deepcopy(chen); t["chemistry"] = 3
    tree_case("chemistry-number.json", t, ["chemistry", "must be a string"])
    t = copy.deepcopy(chen); t["sources"] = "Chen 2020"
    tree_case("sources-string.json", t, ["sources", "array of strings"])
    t = copy.deepcopy(chen); t["negative"] = 5
    tree_case("section-number.json", t, ["negative", "must be an object"])
    t = copy.deepcopy(chen); t["positive"] = [1, 2]
    tree_case("section-array.json", t, ["positive", "must be an object"])
    t = copy.deepcopy(chen); del t["electrolyte"]
    tree_case("section-missing.json", t, ["electrolyte", "missing"])
    t = copy.deepcopy(chen); t["negative"]["porosty"] = t["negative"].pop("porosity")
    tree_case("misspelt-field.json", t, ["negative.porosty", "did you mean 'porosity'"])
    t = copy.deepcopy(chen); t["negative"]["thikness_m"] = t["negative"].pop("thickness_m"); t["positive"]["radius"] = 1e-6
    tree_case("two-problems.json", t, ["negative.thikness_m", "positive.radius", "unknown field"])
    t = copy.deepcopy(chen); t["negative"]["ocp_V"] = "1.9793 * exp(-39.3631 * x"
    tree_case("expression-unbalanced.json", t, ["negative.ocp_V", "invalid function"])
    t = copy.deepcopy(chen); t["negative"]["ocp_V"] = "log(x - 2)"
    tree_case("expression-nan.json", t, ["negative.ocp_V", "nan"])
    t = copy.deepcopy(chen); t["negative"]["ocp_V"] = "1 / (x - x)"
    tree_case("expression-division-by-zero.json", t, ["negative.ocp_V", "finite"])
    t = copy.deepcopy(chen); t["negative"]["ocp_V"] = "0.1 + y"
    tree_case("expression-unknown-variable.json", t, ["negative.ocp_V", "variables: x, T"])
    t = copy.deepcopy(chen); t["negative"]["ocp_V"] = "exp(" * 300 + "x" + ")" * 300
    tree_case("expression-deep.json", t, ["negative.ocp_V"])
    t = copy.deepcopy(chen); t["negative"]["ocp_V"] = ""
    tree_case("expression-empty.json", t, ["negative.ocp_V", "invalid function"])
    t = copy.deepcopy(chen); t["negative"]["diffusivity_m2_s"] = {"x": [0, 0.5, 0.4], "y": [1e-14, 1e-14, 1e-14]}
    tree_case("table-not-increasing.json", t, ["negative.diffusivity_m2_s", "strictly increasing"])
    t = copy.deepcopy(chen); t["negative"]["diffusivity_m2_s"] = {"x": [0, 1], "y": [1e-14]}
    tree_case("table-lengths.json", t, ["negative.diffusivity_m2_s", "different lengths"])
    t = copy.deepcopy(chen); t["negative"]["diffusivity_m2_s"] = {"x": [0.5], "y": [1e-14]}
    tree_case("table-one-point.json", t, ["negative.diffusivity_m2_s", "at least 2 points"])
    t = copy.deepcopy(chen); t["negative"]["diffusivity_m2_s"] = {"x": [0, 1], "y": ["a", "b"]}
    tree_case("table-strings.json", t, ["negative.diffusivity_m2_s", "must be a number"])
    t = copy.deepcopy(chen); t["negative"]["exchange_current_density_A_m2"] = {"activation_energy_J_mol": 3.5e4,
                                                                             "reference_temperature_K": 298.15}
    tree_case("arrhenius-no-value.json", t, ["negative.exchange_current_density_A_m2", "needs \"value\""])
    t = copy.deepcopy(chen); t["negative"]["exchange_current_density_A_m2"]["reference_temperature_K"] = -10
    tree_case("arrhenius-negative-tref.json", t, ["reference_temperature_K", "> 0"])
    t = copy.deepcopy(chen); t["negative"]["diffusivity_m2_s"] = True
    tree_case("function-bool.json", t, ["negative.diffusivity_m2_s", "not a boolean"])
    t = copy.deepcopy(chen); t["negative"]["diffusivity_m2_s"] = None
    tree_case("function-null.json", t, ["negative.diffusivity_m2_s", "not null"])
    t = copy.deepcopy(chen); t["cell"]["lower_cutoff_V"] = 4.3
    tree_case("cutoffs-reversed.json", t, ["cell.upper_cutoff_V", "greater than lower_cutoff_V"])
    t = copy.deepcopy(chen); t["negative"]["porosity"] = 0.5
    tree_case("volume-fractions-over-1.json", t, ["negative.active_material_volume_fraction", "must be ≤ 1"])
    t = copy.deepcopy(chen); t["cell"]["electrodes_in_parallel"] = 1.5
    tree_case("parallel-fraction.json", t, ["cell.electrodes_in_parallel", "whole number"])
    t = copy.deepcopy(chen); t["cell"]["ocv_at_soc_1_V"] = 4.6
    tree_case("esoh-window.json", t, ["cell.ocv_at_soc_1_V"])
    t = copy.deepcopy(ssb); t["positive"]["stoichiometry_at_soc_1"] = 0.95
    tree_case("ssb-stoichiometries-reversed.json", t, ["positive.stoichiometry_at_soc_0", "stoichiometry_at_soc_1"])
    t = copy.deepcopy(ssb); t["stack"]["layers"][1]["role"] = "anode"
    tree_case("ssb-layer-role.json", t, ["stack.layers[1].role"])
    t = copy.deepcopy(ssb); t["stack"]["layers"][1]["volume_fractions"]["Unobtainium"] = 0.01
    tree_case("ssb-unknown-material.json", t, ["stack.layers[1].volume_fractions", "Unobtainium"])
    t = copy.deepcopy(ssb); t["stack"]["layers"] = []
    tree_case("ssb-no-layers.json", t, ["stack.layers"])
    t = copy.deepcopy(lis); t["initial_state"] = {"S8_g": "2.673"}
    tree_case("lis-initial-state-strings.json", t, ["initial_state.S8_g", "without quotes"])
    t = copy.deepcopy(lis); t["cell"]["lower_cutoff_V"] = 2.6
    tree_case("lis-cutoffs-reversed.json", t, ["cell.upper_cutoff_V"])

    # Files that load but cannot run: a solver failure (exit 3) or a first step that cannot start (1).
    t = copy.deepcopy(chen); t["negative"]["diffusivity_m2_s"] = 1e-30
    manifest.append({"id": "li-diffusivity-1e-30-run", "kind": "cell", "file": write("cells", "li-diffusivity-1e-30.json", dump(t)),
                     "status": 3, "mentions": ["step 2", "NaN or infinity"], "writes": True,
                     "protocol": "Rest for 1 minute; Discharge at 1C until 2.5 V"})
    t = copy.deepcopy(chen); t["cell"]["contact_resistance_Ohm"] = 1e300
    manifest.append({"id": "li-contact-resistance-huge-run", "kind": "cell",
                     "file": write("cells", "li-contact-resistance-huge.json", dump(t)),
                     "status": 1, "mentions": ["step 1", "cannot start"], "protocol": "Discharge at 1C until 2.5 V"})
    t = copy.deepcopy(ssb); t["positive"]["particle_radius_m"] = 1e300
    manifest.append({"id": "ssb-radius-huge-run", "kind": "cell", "file": write("cells", "ssb-radius-huge.json", dump(t)),
                     "status": 3, "mentions": ["step 1", "NaN or infinity"], "writes": True,
                     "protocol": "Discharge at 1C until 3.0 V"})
    t = copy.deepcopy(lis); t["reactions"]["electrons_per_reaction"] = 1e300
    manifest.append({"id": "lis-electrons-huge-run", "kind": "cell", "file": write("cells", "lis-electrons-huge.json", dump(t)),
                     "status": 3, "mentions": ["step 1", "NaN or infinity"], "writes": True,
                     "protocol": "Discharge at 1C until 2.15 V"})

    # --- Protocols: (file, text, texts the message must contain, exit status). ---
    protocols = [
        ("empty", "", ["at least one step"]),
        ("comments-only", "# nothing here\n# still nothing\n", ["at least one step"]),
        ("separators-only", " ;;\n; \n", ["at least one step"]),
        ("misspelt-discharge", "Dischrge at 1C until 2.5 V", ["'Dischrge'", "did you mean 'Discharge'"]),
        ("misspelt-charge", "Chrage at 1C until 4.2 V", ["did you mean 'Charge'"]),
        ("misspelt-rest", "Rset for 1 hour", ["did you mean 'Rest'"]),
        ("misspelt-hold", "Hodl at 4.2 V until C/20", ["did you mean 'Hold'"]),
        ("misspelt-repeat", "repaet 3 { Rest for 1 s }", ["did you mean 'repeat'"]),
        ("unknown-step", "Sleep for 1 hour", ["'Sleep'", "a step"]),
        ("number-first", "1C discharge until 2.5 V", ["'1C'" if False else "line 1, column 1"]),
        ("no-at", "Discharge 1C until 2.5 V", ["'at'"]),
        ("no-magnitude", "Discharge at until 2.5 V", ["current, C-rate or power"]),
        ("no-unit", "Discharge at 1 until 2.5 V", ["a unit (C, A, mA, W, mW, kW)"]),
        ("unknown-unit", "Discharge at 1 Amps until 2.5 V", ["'Amps'", "unit"]),
        ("mega-unit", "Discharge at 1 MW until 2.5 V", ["'MW'"]),
        ("negative-rate", "Discharge at -1C until 2.5 V", ["'-1'", "positive"]),
        ("zero-rate", "Discharge at 0C until 2.5 V", ["positive"]),
        ("nan-rate", "Discharge at NaN C until 2.5 V", ["NaN and infinity are not allowed"]),
        ("inf-rate", "Discharge at inf C until 2.5 V", ["NaN and infinity are not allowed"]),
        ("huge-rate", "Discharge at 1e999C until 2.5 V", ["too large"]),
        ("c-over-zero", "Discharge at C/0 until 2.5 V", ["positive"]),
        ("c-over-nothing", "Discharge at C/ until 2.5 V", ["after 'C/'"]),
        ("c-without-slash", "Discharge at C until 2.5 V", ["a C-rate needs a number"]),
        ("until-nothing", "Discharge at 1C until", ["a limit"]),
        ("until-no-unit", "Discharge at 1C until 2.5", ["a limit unit"]),
        ("until-bad-unit", "Discharge at 1C until 2.5 Volts", ["'Volts'"]),
        ("until-negative", "Discharge at 1C until -2.5 V", ["positive"]),
        ("or-nothing", "Discharge at 1C until 2.5 V or", ["a limit"]),
        ("rest-no-duration", "Rest", ["'for' and a duration"]),
        ("rest-until-only", "Rest until 4.1 V", ["a rest needs a duration"]),
        ("rest-bad-unit", "Rest for 10 fortnights", ["'fortnights'", "a time unit"]),
        ("rest-no-unit", "Rest for 10", ["a time unit"]),
        ("rest-zero", "Rest for 0 s", ["positive"]),
        ("rest-negative", "Rest for -5 minutes", ["positive"]),
        ("rest-huge", "Rest for 1e308 days", ["finite duration"]),
        ("rest-or-no-until", "Rest for 1 hour or 4.1 V", ["'until'"]),
        ("hold-no-limit", "Hold at 4.2 V", ["a hold needs a duration or a limit"]),
        ("hold-no-voltage", "Hold at 4.2 until C/20", ["a voltage unit"]),
        ("hold-current", "Hold at 1 A until C/20", ["'A'", "voltage unit"]),
        ("trailing-words", "Discharge at 1C until 2.5 V please", ["'please'"]),
        ("double-semicolon-ok-then-bad", "Rest for 1 s;; Rest fro 1 s", ["did you mean 'for'"]),
        ("temperature-no-unit", "Rest for 1 hour at 25", ["a temperature unit"]),
        ("temperature-below-zero", "Rest for 1 hour at -300 C", ["above absolute zero"]),
        ("temperature-fahrenheit", "Rest for 1 hour at 77 F", ["'F'"]),
        ("repeat-no-count", "repeat { Rest for 1 s }", ["a whole number of repetitions"]),
        ("repeat-zero", "repeat 0 { Rest for 1 s }", ["a whole number of repetitions"]),
        ("repeat-fraction", "repeat 2.5 { Rest for 1 s }", ["a whole number of repetitions"]),
        ("repeat-negative", "repeat -3 { Rest for 1 s }", ["a whole number of repetitions"]),
        ("repeat-overflow", "repeat 99999999999999999999999 { Rest for 1 s }", ["1000000 expanded steps"]),
        ("repeat-too-many", "repeat 1000 { repeat 1001 { Rest for 1 s } }", ["1001000"]),
        ("repeat-no-brace", "repeat 3 Rest for 1 s", ["'times' or '{'"]),
        ("repeat-unclosed", "repeat 3 {\n  Rest for 1 s\n", ["'}' to close the repeat opened at line 1"]),
        ("repeat-empty", "repeat 3 { }", ["at least one step inside the repeat"]),
        ("stray-brace", "Rest for 1 s }", ["'}'"]),
        ("repeat-junk-after", "repeat 2 { Rest for 1 s } x", ["after '}'"]),
        ("nesting-65", "repeat 1 { " * 65 + "Rest for 1 s" + " }" * 65, ["nested at most 64 deep"]),
        ("error-on-line-3", "Rest for 1 s\nRest for 1 s\nDischarge at 1C until 2.5 Q\n", ["line 3", "'Q'"]),
        ("crlf-error", "Rest for 1 s\r\nRest for 1 x\r\n", ["line 2", "'x'"]),
        ("unicode-quote", "Discharge at 1C until 2.5\u00a0V\u201d", ["'\u201d'"]),
        ("emoji", "Discharge at 1C until 2.5 V \U0001F50B", ["'\U0001F50B'"]),
        ("fullwidth-digits", "Discharge at \uff11C until 2.5 V", ["current, C-rate or power"]),
        ("json-instead", '{"steps": [{"discharge": 1}]}', ["line 1, column 1"]),
        ("csv-instead", "time_s,current_A\n0,5\n10,5\n", ["line 1, column 1"]),
        ("python-instead", "for i in range(3):\n    discharge(1)\n", ["line 1, column 1"]),
        ("control-chars", "Rest for 1 s\u0000\u0007", ["line 1"]),
        ("only-number", "42", ["a step"]),
        ("percent-soc", "Discharge at 1C until 10 %", ["'%'"]),
        ("capacity-no-number", "Discharge at 1C until Ah", ["a limit"]),
        ("power-zero", "Discharge at 0 W until 2.5 V", ["positive"]),
        ("long-garbage", "x" * 5000, ["line 1, column 1"]),
        ("many-lines-bad-last", "Rest for 1 s\n" * 500 + "Rest for 1 z\n", ["line 501"]),
    ]
    for name, text, mentions in protocols:
        file = name + ".txt"
        manifest.append({"id": "protocol-" + name, "kind": "protocol", "file": write("protocols", file, text),
                         "status": 1, "mentions": mentions})
    # Protocols that parse but cannot run on Chen2020 from SOC 1 (exit 1, the step named).
    runnable = [
        ("charge-when-full", "Charge at 1C until 4.2 V", ["step 1", "cannot start"]),
        ("hold-outside-window", "Hold at 5 V for 1 minute", ["step 1", "outside the cell's voltage window"]),
        ("discharge-below-cutoff-limit", "Discharge at 1C until 4.5 V", ["step 1", "cannot start"]),
    ]
    for name, text, mentions in runnable:
        file = name + ".txt"
        manifest.append({"id": "protocol-" + name, "kind": "protocol", "file": write("protocols", file, text),
                         "status": 1, "mentions": mentions, "parses": True})
    # A later step that cannot start: the curve up to it is written (exit 1).
    manifest.append({"id": "protocol-later-step-cannot-start", "kind": "protocol",
                     "file": write("protocols", "later-step-cannot-start.txt", "Rest for 1 s; Charge at 1C until 4.2 V"),
                     "status": 1, "mentions": ["step 2", "cannot start"], "parses": True, "writes": True})

    # --- Junk, as a cell file and as a protocol file. ---
    junk = [
        ("curve.csv", "time_s,current_A,voltage_V\n0,5,4.2\n10,5,4.1\n"),
        ("semicolons.csv", "time;current;voltage\n0;5;4,2\n"),
        ("quoted.csv", '"a","b"\n"1","2"\n'),
        ("header-only.csv", "time_s,current_A,voltage_V\n"),
        ("ragged.csv", "1,2,3\n4,5\n6\n,,,,\n"),
        ("nan-inf.csv", "nan,inf,-inf\nNaN,Infinity,1e999\n"),
        ("tabs.tsv", "t\tI\tV\n0\t5\t4.2\n"),
        ("excel-bom.csv", "\ufefftime_s,current_A\r\n0,5\r\n"),
        ("very-long-line.csv", ",".join(str(i) for i in range(3000)) + "\n"),
        ("null-bytes.csv", "a,b\n\u0000\u0000\u0000\n"),
        ("markdown.md", "# Protocol\n\n| step | rate |\n|---|---|\n| discharge | 1C |\n"),
        ("yaml.yaml", "cell:\n  nominal_capacity_Ah: 5\nsteps:\n  - discharge: 1C\n"),
    ]
    for name, text in junk:
        path = write("junk", name, text)
        manifest.append({"id": "junk-cell-" + name, "kind": "cell", "file": path, "status": 1,
                         "mentions": [name]})
        manifest.append({"id": "junk-protocol-" + name, "kind": "protocol", "file": path, "status": 1,
                         "mentions": ["protocol line"]})

    # --- Command lines. {CHEN} {SSB} {LIS}: shipped cells; {OUT}: output CSV in an empty directory;
    # {DIR}: that directory; {CORPUS}: this folder. ---
    args = [
        ("no-arguments-run", ["run"], 2, ["--cell"]),
        ("no-cell", ["run", "--protocol", "Rest for 1 s", "--out", "{OUT}"], 2, ["--cell"]),
        ("no-protocol", ["run", "--cell", "{CHEN}", "--out", "{OUT}"], 2, ["--protocol"]),
        ("both-protocols", ["run", "--cell", "{CHEN}", "--protocol", "Rest for 1 s", "--protocol-file", "x.txt", "--out", "{OUT}"], 2, ["--protocol-file"]),
        ("dt-zero", ["run", "--cell", "{CHEN}", "--protocol", "Rest for 1 s", "--dt", "0", "--out", "{OUT}"], 2, ["--dt"]),
        ("dt-negative", ["run", "--cell", "{CHEN}", "--protocol", "Rest for 1 s", "--dt=-1", "--out", "{OUT}"], 2, ["--dt"]),
        ("dt-nan", ["run", "--cell", "{CHEN}", "--protocol", "Rest for 1 s", "--dt", "nan", "--out", "{OUT}"], 2, ["--dt"]),
        ("dt-inf", ["run", "--cell", "{CHEN}", "--protocol", "Rest for 1 s", "--dt", "inf", "--out", "{OUT}"], 2, ["--dt"]),
        ("dt-text", ["run", "--cell", "{CHEN}", "--protocol", "Rest for 1 s", "--dt", "ten", "--out", "{OUT}"], 2, ["--dt", "ten"]),
        ("soc-above-1", ["run", "--cell", "{CHEN}", "--protocol", "Rest for 1 s", "--soc", "1.5", "--out", "{OUT}"], 2, ["--soc"]),
        ("soc-negative", ["run", "--cell", "{CHEN}", "--protocol", "Rest for 1 s", "--soc=-0.1", "--out", "{OUT}"], 2, ["--soc"]),
        ("soc-nan", ["run", "--cell", "{CHEN}", "--protocol", "Rest for 1 s", "--soc", "nan", "--out", "{OUT}"], 2, ["--soc"]),
        ("soc-and-voltage", ["run", "--cell", "{CHEN}", "--protocol", "Rest for 1 s", "--soc", "0.5", "--initial-voltage", "3.7", "--out", "{OUT}"], 2, ["--initial-voltage"]),
        ("voltage-negative", ["run", "--cell", "{CHEN}", "--protocol", "Rest for 1 s", "--initial-voltage=-3", "--out", "{OUT}"], 2, ["--initial-voltage"]),
        ("voltage-outside-ocv", ["run", "--cell", "{CHEN}", "--protocol", "Rest for 1 s", "--initial-voltage", "9", "--out", "{OUT}"], 1, ["9.0 V"]),
        ("rtol-zero", ["run", "--cell", "{CHEN}", "--protocol", "Rest for 1 s", "--rtol", "0", "--out", "{OUT}"], 2, ["--rtol"]),
        ("rtol-large", ["run", "--cell", "{CHEN}", "--protocol", "Rest for 1 s", "--rtol", "0.5", "--out", "{OUT}"], 2, ["--rtol"]),
        ("ambient-no-unit", ["run", "--cell", "{CHEN}", "--protocol", "Rest for 1 s", "--ambient", "25", "--out", "{OUT}"], 2, ["--ambient"]),
        ("ambient-below-zero", ["run", "--cell", "{CHEN}", "--protocol", "Rest for 1 s", "--ambient=-300C", "--out", "{OUT}"], 2, ["--ambient"]),
        ("ambient-text", ["run", "--cell", "{CHEN}", "--protocol", "Rest for 1 s", "--ambient", "warm", "--out", "{OUT}"], 2, ["--ambient", "warm"]),
        ("unknown-flag", ["run", "--cell", "{CHEN}", "--protocol", "Rest for 1 s", "--temperature", "25C", "--out", "{OUT}"], 2, ["--temperature"]),
        ("unknown-model", ["run", "--cell", "{CHEN}", "--protocol", "Rest for 1 s", "--model", "p2d", "--out", "{OUT}"], 1, ["'p2d'"]),
        ("model-wrong-chemistry", ["run", "--cell", "{SSB}", "--protocol", "Rest for 1 s", "--model", "spme", "--out", "{OUT}"], 1, ["'spme'", "ssb-spm"]),
        ("missing-cell", ["run", "--cell", "{DIR}/none.json", "--protocol", "Rest for 1 s", "--out", "{OUT}"], 1, ["none.json", "no such cell file"]),
        ("cell-is-directory", ["run", "--cell", "{DIR}", "--protocol", "Rest for 1 s", "--out", "{OUT}"], 1, ["cannot be read"]),
        ("missing-protocol-file", ["run", "--cell", "{CHEN}", "--protocol-file", "{DIR}/none.txt", "--out", "{OUT}"], 1, ["none.txt"]),
        ("protocol-file-binary", ["run", "--cell", "{CHEN}", "--protocol-file", "{CORPUS}/cells/binary.json", "--out", "{OUT}"], 1, ["binary.json"]),
        ("out-missing-directory", ["run", "--cell", "{CHEN}", "--protocol", "Rest for 1 s", "--out", "{DIR}/no/such/dir/out.csv"], 1, ["does not exist"]),
        ("out-is-directory", ["run", "--cell", "{CHEN}", "--protocol", "Rest for 1 s", "--out", "{DIR}"], 1, ["is a directory"]),
        ("unknown-subcommand-flag", ["params", "check", "{CHEN}", "--verbose"], 2, ["--verbose"]),
        ("params-check-missing", ["params", "check", "{DIR}/none.json"], 1, ["none.json"]),
        ("params-check-broken", ["params", "check", "{CORPUS}/cells/two-problems.json"], 1, ["negative.thikness_m", "positive.radius"]),
        ("params-check-no-file", ["params", "check"], 2, ["<file>"]),
        ("bench-repeat-zero", ["bench", "--repeat", "0"], 2, ["--repeat"]),
        ("bench-unknown-case", ["bench", "--case", "nope", "--repeat", "1", "--root", "{ROOT}"], 1, ["'nope'"]),
        ("bench-bad-root", ["bench", "--repeat", "1", "--root", "{DIR}"], 1, ["CellParams"]),
    ]
    for name, argv, status, mentions in args:
        manifest.append({"id": "args-" + name, "kind": "args", "args": argv, "status": status, "mentions": mentions})

    with open(os.path.join(HERE, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=1, ensure_ascii=False)
        f.write("\n")
    files = sum(len(os.listdir(os.path.join(HERE, s))) for s in ("cells", "protocols", "junk"))
    print(f"{len(manifest)} cases, {files} files")


if __name__ == "__main__":
    main()
