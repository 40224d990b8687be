"""The live components' maths, run in Node as the page runs it, against the Python the server runs."""

import numpy as np

from tests.support.data import ROOT

LATENT_IN_NODE = """
import { latent } from "./component.mjs";
const cases = JSON.parse(process.argv[2]);
const answers = cases.map(({ base, psi, sliders }) => {
  const inputs = new Map(sliders.map((s) => [s.id, { input: { value: String(s.value) } }]));
  inputs.set("psi", { input: { value: String(psi) } });
  const data = { base, scale: "psi", sliders: [{ id: "psi" }, ...sliders.map(({ id, vector }) => ({ id, vector }))] };
  return latent({ inputs }, data);
});
console.log(JSON.stringify(answers));
"""


def test_the_page_and_python_compute_the_same_z_from_the_sliders(tmp_path):
    """live_sliders.js `latent()` (run in Node, as the page runs it) and maths.latent.slider_latent:
    the seed's z scaled by psi, plus each slider's amount along its vector (directions and raw ones)."""
    import json
    import shutil
    import subprocess

    from explorer.maths.latent import slider_latent

    node = shutil.which("node")
    assert node, "Node.js runs the page's JavaScript here (the README's test command needs it for npm too)"
    web = ROOT / "web" / "components"
    script = (web / "live_runtime.js").read_text() + (web / "live_sliders.js").read_text()
    (tmp_path / "component.mjs").write_text(script + "\nexport { latent };\n")
    (tmp_path / "run.mjs").write_text(LATENT_IN_NODE)
    rng = np.random.default_rng(0)
    cases = []
    for dims, count, psi in [(4, 0, 1.0), (8, 3, 0.7), (64, 6, 0.3), (16, 16 + 2, 1.0)]:
        vectors = rng.standard_normal((count, dims)).round(4)
        if count > 16:
            vectors[-2:] = np.eye(dims)[:2]  # raw sliders: a unit vector each
        amounts = rng.uniform(-3, 3, count).round(1)
        sliders = [
            {"id": f"d{k}", "value": float(a), "vector": v.tolist()} for k, (a, v) in enumerate(zip(amounts, vectors))
        ]
        cases.append({"base": rng.standard_normal(dims).round(4).tolist(), "psi": psi, "sliders": sliders})
    output = subprocess.run(
        [node, "run.mjs", json.dumps(cases)], cwd=tmp_path, capture_output=True, text=True, timeout=60, check=True
    ).stdout
    for case, in_page in zip(cases, json.loads(output)):
        vectors = np.array([s["vector"] for s in case["sliders"]]).reshape(-1, len(case["base"]))
        amounts = [s["value"] for s in case["sliders"]]
        in_python = slider_latent(np.array(case["base"], "float32"), case["psi"], vectors, amounts)
        np.testing.assert_allclose(in_page, in_python, rtol=1e-5, atol=1e-5)
