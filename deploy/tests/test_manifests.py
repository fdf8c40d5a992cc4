"""Architecture tests on the rendered manifests of every variant (overlay [+ component]).

They assert the contract of docs/design.md and the hardening of docs/deployment.md on what
kubectl would apply, not on the source files, so overlays and components are checked as they
combine.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import kubernetes_validate
import pytest
from conftest import (
    APP_ROLES,
    K8S_VERSION,
    Manifests,
    container_env,
    containers,
    pod_spec,
)

# Custom resources: their CRDs are not in the Kubernetes OpenAPI schemas, so they are
# checked structurally by the tests below instead (test_keda_*).
CUSTOM_KINDS = {("keda.sh/v1alpha1", "ScaledObject")}
NAMESPACE = "packamal"
PART_OF = "app.kubernetes.io/part-of"


# --- schemas --------------------------------------------------------------------------


def test_every_object_matches_the_kubernetes_openapi_schema_strictly(variant: Manifests):
    errors, unvalidated = [], set()
    for doc in variant.docs:
        key = (doc["apiVersion"], doc["kind"])
        if key in CUSTOM_KINDS:
            unvalidated.add(key)
            continue
        try:
            kubernetes_validate.validate(doc, K8S_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            errors.append(f"{doc['kind']}/{doc['metadata']['name']}: {error.message}")
    assert errors == []
    expected = CUSTOM_KINDS if "keda" in variant.components else set()
    assert unvalidated == expected


def test_every_object_is_namespaced_in_packamal_and_labelled(variant: Manifests):
    for doc in variant.docs:
        meta = doc["metadata"]
        if doc["kind"] == "Namespace":
            assert meta["name"] == NAMESPACE
        else:
            assert meta.get("namespace") == NAMESPACE, f"{doc['kind']}/{meta['name']}"
        assert meta.get("labels", {}).get(PART_OF) == "packamal", f"{doc['kind']}/{meta['name']}"


# --- one image, three roles -----------------------------------------------------------


def test_three_app_deployments_run_one_image_with_the_role_in_args(variant: Manifests):
    images = set()
    for role in APP_ROLES:
        deployment = variant.app(role)
        main = pod_spec(deployment)["containers"][0]
        assert main["args"] == [role]
        assert "command" not in main, "the image's ENTRYPOINT picks the role"
        images.update(c["image"] for c in containers(deployment))
    assert len(images) == 1, images


def test_migrations_run_in_an_init_container_of_the_api(variant: Manifests):
    init = pod_spec(variant.app("api"))["initContainers"]
    assert [c["args"] for c in init] == [["migrate"]]
    assert init[0]["image"] == pod_spec(variant.app("api"))["containers"][0]["image"]
    assert variant.all("Job") == []


def test_images_per_overlay(variant: Manifests):
    app_image = pod_spec(variant.app("api"))["containers"][0]["image"]
    if variant.overlay == "minikube":
        assert app_image == "packamal:dev"
        for deployment in (variant.app(r) for r in APP_ROLES):
            assert {c["imagePullPolicy"] for c in containers(deployment)} == {"Never"}
    else:
        assert re.fullmatch(r"registry\.digitalocean\.com/[a-z0-9-]+/packamal:[\w.-]+", app_image)
    for workload in variant.workloads():
        for c in containers(workload):
            name, _, tag = c["image"].rpartition(":")
            assert name and tag and tag != "latest", c["image"]


def test_postgres_and_redis_use_the_official_images_pinned_to_a_version(variant: Manifests):
    postgres = pod_spec(variant.get("StatefulSet", "postgres"))["containers"][0]["image"]
    redis = pod_spec(variant.get("Deployment", "redis"))["containers"][0]["image"]
    assert re.fullmatch(r"postgres:\d+\.\d+-\w+", postgres)
    assert re.fullmatch(r"redis:\d+\.\d+\.\d+-\w+", redis)


# --- scaling --------------------------------------------------------------------------


def test_worker_hpa_scales_on_cpu_50_percent_with_a_slow_scale_down(variant: Manifests):
    hpas = variant.all("HorizontalPodAutoscaler")
    if "keda" in variant.components:
        assert hpas == [], "KEDA creates its own HPA; two must not own the worker"
        return
    assert len(hpas) == 1
    spec = hpas[0]["spec"]
    assert spec["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "packamal-worker",
    }
    assert spec["metrics"] == [
        {
            "type": "Resource",
            "resource": {
                "name": "cpu",
                "target": {"type": "Utilization", "averageUtilization": 50},
            },
        }
    ]
    assert 1 <= spec["minReplicas"] < spec["maxReplicas"]
    assert spec["behavior"]["scaleUp"]["stabilizationWindowSeconds"] == 0
    assert 60 <= spec["behavior"]["scaleDown"]["stabilizationWindowSeconds"] <= 600
    # Utilization is a share of the request: the worker must have one.
    worker = pod_spec(variant.app("worker"))["containers"][0]
    assert worker["resources"]["requests"]["cpu"]
    assert "replicas" not in variant.app("worker")["spec"], "the autoscaler owns the count"


def test_keda_scales_the_worker_on_the_job_queue_length(variant: Manifests):
    objects = variant.all("ScaledObject")
    if "keda" not in variant.components:
        assert objects == []
        return
    (scaled,) = objects
    spec = scaled["spec"]
    assert spec["scaleTargetRef"]["name"] == "packamal-worker"
    assert 1 <= spec["minReplicaCount"] < spec["maxReplicaCount"]
    triggers = {t["type"]: t for t in spec["triggers"]}
    redis = triggers["redis"]["metadata"]
    assert redis["listName"] == variant.config()["JOB_QUEUE"]
    host, port = redis["address"].rsplit(":", 1)
    assert host.split(".")[:2] == ["redis", NAMESPACE]
    assert int(port) == variant.get("Service", "redis")["spec"]["ports"][0]["port"]
    assert int(redis["listLength"]) >= 1
    # The KEDA operator lives in its own namespace and must be let through to Redis.
    allowed = [
        p
        for p in variant.all("NetworkPolicy")
        if p["spec"]["podSelector"] == {"matchLabels": {"app.kubernetes.io/name": "redis"}}
        and any(
            peer.get("namespaceSelector", {})
            .get("matchLabels", {})
            .get("kubernetes.io/metadata.name")
            == "keda"
            for rule in p["spec"].get("ingress", [])
            for peer in rule.get("from", [])
        )
    ]
    assert allowed


def test_overlay_replicas(variant: Manifests):
    if variant.overlay == "doks":
        assert variant.app("web")["spec"]["replicas"] >= 2
        assert variant.app("api")["spec"]["replicas"] >= 2
        if "keda" not in variant.components:
            assert (
                variant.get("HorizontalPodAutoscaler", "packamal-worker")["spec"]["minReplicas"]
                >= 2
            )


# --- services and ports ---------------------------------------------------------------


def _named_port(workload: dict, name: str) -> int:
    for c in pod_spec(workload)["containers"]:
        for port in c.get("ports", []):
            if port["name"] == name:
                return int(port["containerPort"])
    raise AssertionError(f"{workload['metadata']['name']} has no port named {name}")


@pytest.mark.parametrize(
    ("service", "port", "workload_kind", "workload"),
    [
        ("packamal-web", 80, "Deployment", "packamal-web"),
        ("packamal-api", 8000, "Deployment", "packamal-api"),
        ("postgres", 5432, "StatefulSet", "postgres"),
        ("redis", 6379, "Deployment", "redis"),
    ],
)
def test_services_select_their_workload_on_the_contract_port(
    variant: Manifests, service: str, port: int, workload_kind: str, workload: str
):
    svc = variant.get("Service", service)["spec"]
    target = variant.get(workload_kind, workload)
    labels = target["spec"]["template"]["metadata"]["labels"]
    assert svc["selector"].items() <= labels.items()
    # The contract port first; the doks web Service adds 443 (TLS at the load balancer)
    # onto the same target port.
    (svc_port,) = [p for p in svc["ports"] if p["port"] == port]
    extra = [p for p in svc["ports"] if p is not svc_port]
    assert _named_port(target, svc_port["targetPort"]) == port
    assert [(p["port"], p["targetPort"]) for p in extra] == (
        [(443, svc_port["targetPort"])] if service == "packamal-web" and variant.overlay == "doks"
        else []
    )  # fmt: skip
    if service != "packamal-web":
        assert svc["type"] == "ClusterIP"


def test_web_service_type_per_overlay(variant: Manifests):
    svc = variant.get("Service", "packamal-web")
    if variant.overlay == "minikube":
        assert svc["spec"]["type"] == "NodePort"
        assert svc["spec"]["ports"][0]["nodePort"] == 30080
    else:
        assert svc["spec"]["type"] == "LoadBalancer"
        annotations = svc["metadata"]["annotations"]
        prefix = "service.beta.kubernetes.io/do-loadbalancer-"
        assert annotations[prefix + "healthcheck-path"] == "/healthz"
        assert annotations[prefix + "protocol"] == "http"
        # TLS at the load balancer, HTTP redirected, nginx trusting the LB's forwarding
        assert annotations[prefix + "tls-ports"] == "443"
        assert annotations[prefix + "certificate-name"] == "packamal-web"
        assert annotations[prefix + "redirect-http-to-https"] == "true"
        assert {p["port"] for p in svc["spec"]["ports"]} == {80, 443}
        assert variant.config()["WEB_REAL_IP_FROM"] == "10.0.0.0/8"


def test_the_api_trusts_forwarding_headers_only_from_private_peers(variant: Manifests):
    trusted = variant.config()["FORWARDED_ALLOW_IPS"].split(",")
    assert "*" not in trusted and trusted


def test_every_container_port_is_named(variant: Manifests):
    for workload in variant.workloads():
        for c in containers(workload):
            for port in c.get("ports", []):
                assert re.fullmatch(r"[a-z0-9-]{1,15}", port.get("name", "")), c["name"]


# --- configuration --------------------------------------------------------------------


def test_every_referenced_configmap_and_secret_key_exists(variant: Manifests):
    for workload in variant.workloads():
        for c in containers(workload):
            for source in c.get("envFrom", []):
                ref = source.get("configMapRef") or source.get("secretRef")
                kind = "ConfigMap" if "configMapRef" in source else "Secret"
                variant.get(kind, ref["name"])
            for item in c.get("env", []):
                ref = item.get("valueFrom", {})
                for key, kind in (("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret")):
                    if key in ref:
                        obj = variant.get(kind, ref[key]["name"])
                        assert ref[key]["key"] in obj["data"], f"{c['name']}: {ref[key]}"


def _db_env_ok(env: dict[str, str]) -> bool:
    if env.get("DATABASE_URL"):
        return True
    return all(
        env.get(k)
        for k in (
            "POSTGRES_HOST",
            "POSTGRES_PORT",
            "POSTGRES_DB",
            "POSTGRES_USER",
            "POSTGRES_PASSWORD",
        )
    )


@pytest.mark.parametrize("role", ["api", "worker", "migrate"])
def test_django_roles_get_every_variable_the_app_requires(variant: Manifests, role: str):
    deployment = variant.app("api" if role == "migrate" else role)
    container = next(c for c in containers(deployment) if c["args"] == [role])
    env = container_env(variant, container)
    assert _db_env_ok(env)
    assert env["POSTGRES_HOST"] == "postgres"
    assert int(env["POSTGRES_PORT"]) == 5432
    redis = urlsplit(env["REDIS_URL"])
    assert (redis.scheme, redis.hostname, redis.port) == ("redis", "redis", 6379)
    assert redis.password is None, "no credentials in the ConfigMap"
    # settings.py requires the key whenever DJANGO_DEBUG is off, in every Django process.
    assert env["DJANGO_DEBUG"] == "0"
    assert env["DJANGO_SECRET_KEY"]
    assert env["LOG_FORMAT"] == "json"
    for name in ("JOB_QUEUE", "JOB_DEAD_LETTER", "JOB_UPDATES_CHANNEL"):
        assert env[name]


def test_api_accepts_its_service_name_and_listens_on_port(variant: Manifests):
    api = pod_spec(variant.app("api"))["containers"][0]
    env = container_env(variant, api)
    hosts = env["DJANGO_ALLOWED_HOSTS"].split(",")
    assert "packamal-api" in hosts
    assert f"packamal-api.{NAMESPACE}.svc.cluster.local" in hosts
    assert int(env["PORT"]) == _named_port(variant.app("api"), "http") == 8000


def test_web_listens_on_web_port_and_proxies_to_the_api_service(variant: Manifests):
    web = pod_spec(variant.app("web"))["containers"][0]
    env = container_env(variant, web)
    assert int(env["WEB_PORT"]) == _named_port(variant.app("web"), "http") == 80
    upstream = urlsplit(env["API_UPSTREAM"])
    assert upstream.hostname == "packamal-api"
    assert upstream.port == variant.get("Service", "packamal-api")["spec"]["ports"][0]["port"]
    # The web role needs no credentials at all.
    assert not any("secretKeyRef" in i.get("valueFrom", {}) for i in web.get("env", []))
    assert not any("secretRef" in s for s in web.get("envFrom", []))


def test_postgres_gets_the_same_credentials_as_the_app(variant: Manifests):
    pg = pod_spec(variant.get("StatefulSet", "postgres"))["containers"][0]
    pg_env = container_env(variant, pg)
    api_env = container_env(variant, pod_spec(variant.app("api"))["containers"][0])
    for key in ("POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"):
        assert pg_env[key] == api_env[key]
    assert pg_env["PGDATA"].startswith("/var/lib/postgresql/data/")


def test_secret_holds_exactly_the_example_keys(variant: Manifests):
    from conftest import REPO

    example = REPO / "deploy/k8s/overlays" / variant.overlay / "secrets.env.example"
    keys = {
        line.split("=", 1)[0]
        for line in example.read_text().splitlines()
        if "=" in line and not line.startswith("#")
    }
    secret = variant.secret("packamal-secrets")
    expected = {"POSTGRES_USER", "POSTGRES_PASSWORD", "DJANGO_SECRET_KEY"}
    if variant.config()["ANALYSIS_UPLOAD_STORAGE"] == "s3":  # the object store's key
        expected |= {"ANALYSIS_UPLOAD_S3_ACCESS_KEY_ID", "ANALYSIS_UPLOAD_S3_SECRET_ACCESS_KEY"}
    assert set(secret["data"]) == keys == expected


def test_configmap_holds_no_credentials(variant: Manifests):
    for key, value in variant.config().items():
        assert not re.search(r"PASSWORD|SECRET|TOKEN", key), key
        assert "@" not in value, f"{key} looks like a URL with credentials"


# --- probes ---------------------------------------------------------------------------


def _http_probe(container: dict, kind: str) -> tuple[str, object]:
    probe = container[kind]["httpGet"]
    return probe["path"], probe["port"]


def test_api_probes_hit_what_the_api_serves(variant: Manifests):
    api = pod_spec(variant.app("api"))["containers"][0]
    assert _http_probe(api, "readinessProbe") == ("/readyz", "http")
    assert _http_probe(api, "livenessProbe") == ("/healthz", "http")
    assert _http_probe(api, "startupProbe") == ("/healthz", "http")


def test_web_probes_hit_healthz_on_web_port(variant: Manifests):
    web = pod_spec(variant.app("web"))["containers"][0]
    assert _http_probe(web, "readinessProbe") == ("/healthz", "http")
    assert _http_probe(web, "livenessProbe") == ("/healthz", "http")


def test_worker_probes_run_the_heartbeat_check(variant: Manifests):
    worker = pod_spec(variant.app("worker"))["containers"][0]
    for kind in ("livenessProbe", "readinessProbe"):
        command = worker[kind]["exec"]["command"]
        assert command[0].endswith("docker/entrypoint.sh")
        assert command[1:] == ["worker-healthcheck"]
    env = container_env(variant, worker)
    assert env["WORKER_HEARTBEAT_FILE"].startswith("/tmp/"), "the only writable path"  # noqa: S108
    # A heartbeat older than the max age fails; the probe period must be well inside it.
    assert worker["livenessProbe"]["periodSeconds"] < int(env["WORKER_HEARTBEAT_MAX_AGE"])


def test_every_long_running_container_has_readiness_and_liveness(variant: Manifests):
    for workload in variant.workloads():
        for c in pod_spec(workload)["containers"]:
            assert "readinessProbe" in c and "livenessProbe" in c, c["name"]


# --- hardening ------------------------------------------------------------------------


def test_every_pod_is_hardened(variant: Manifests):
    for workload in variant.workloads():
        spec = pod_spec(workload)
        name = workload["metadata"]["name"]
        pod_sc = spec["securityContext"]
        assert pod_sc["runAsNonRoot"] is True, name
        assert pod_sc["runAsUser"] >= 10001, name
        assert pod_sc["seccompProfile"] == {"type": "RuntimeDefault"}, name
        assert spec["automountServiceAccountToken"] is False, name
        assert spec["enableServiceLinks"] is False, name
        tmp_volumes = {v["name"] for v in spec["volumes"] if "emptyDir" in v}
        for c in containers(workload):
            sc = c["securityContext"]
            assert sc["readOnlyRootFilesystem"] is True, c["name"]
            assert sc["allowPrivilegeEscalation"] is False, c["name"]
            assert sc["capabilities"] == {"drop": ["ALL"]}, c["name"]
            assert sc.get("runAsUser", pod_sc["runAsUser"]) >= 10001, c["name"]
            mounts = {m["mountPath"]: m["name"] for m in c.get("volumeMounts", [])}
            assert mounts.get("/tmp") in tmp_volumes  # noqa: S108, f"{c['name']}: /tmp is not an emptyDir"
            for kind in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(c["resources"][kind]), f"{c['name']} {kind}"


def test_web_pod_may_bind_port_80_without_root(variant: Manifests):
    sysctls = pod_spec(variant.app("web"))["securityContext"]["sysctls"]
    assert {"name": "net.ipv4.ip_unprivileged_port_start", "value": "0"} in sysctls


def test_worker_grace_period_outlasts_the_drain(variant: Manifests):
    worker = variant.app("worker")
    env = container_env(variant, pod_spec(worker)["containers"][0])
    grace = pod_spec(worker)["terminationGracePeriodSeconds"]
    assert grace >= 2 * float(env["JOB_DRAIN_SECONDS"])


def test_app_pods_carry_the_recommended_labels(variant: Manifests):
    for role in APP_ROLES:
        labels = variant.app(role)["spec"]["template"]["metadata"]["labels"]
        assert labels["app.kubernetes.io/name"] == f"packamal-{role}"
        assert labels["app.kubernetes.io/component"] == role
        assert labels[PART_OF] == "packamal"


def test_every_app_deployment_has_a_pdb_that_never_blocks_a_drain(variant: Manifests):
    budgets = {
        p["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"]: p["spec"]
        for p in variant.all("PodDisruptionBudget")
    }
    for role in APP_ROLES:
        assert budgets[f"packamal-{role}"] == {
            "maxUnavailable": 1,
            "selector": {"matchLabels": {"app.kubernetes.io/name": f"packamal-{role}"}},
        }


def test_postgres_data_lives_on_the_pvc_with_the_overlay_storage_class(variant: Manifests):
    pvc = variant.get("PersistentVolumeClaim", "postgres-data")
    expected = {"minikube": "standard", "doks": "do-block-storage"}[variant.overlay]
    assert pvc["spec"]["storageClassName"] == expected
    volumes = pod_spec(variant.get("StatefulSet", "postgres"))["volumes"]
    assert {"name": "data", "persistentVolumeClaim": {"claimName": "postgres-data"}} in volumes


# --- network policies -----------------------------------------------------------------


def _matches(selector: dict, labels: dict) -> bool:
    return selector.get("matchLabels", {}).items() <= labels.items() and not selector.get(
        "matchExpressions"
    )


def _peer_allows(peer: dict, labels: dict, namespace_labels: dict) -> bool:
    if "ipBlock" in peer:
        return False
    ns_ok = (
        _matches(peer["namespaceSelector"], namespace_labels)
        if "namespaceSelector" in peer
        else namespace_labels.get("kubernetes.io/metadata.name") == NAMESPACE
    )
    return ns_ok and _matches(peer.get("podSelector", {}), labels)


def _port_allows(rule: dict, port: int, named: dict[str, int]) -> bool:
    ports = rule.get("ports")
    if not ports:
        return True
    return any(named.get(p["port"], p["port"]) == port for p in ports)


def _allowed(variant: Manifests, direction: str, pod: dict, peer: dict, port: int) -> bool:
    """Does some policy selecting `pod` let traffic to/from `peer` on `port`?"""
    key, peers_key = ("ingress", "from") if direction == "ingress" else ("egress", "to")
    selecting = [
        p
        for p in variant.all("NetworkPolicy")
        if _matches(p["spec"]["podSelector"], pod["labels"])
        and direction.capitalize() in p["spec"]["policyTypes"]
    ]
    assert selecting, f"no {direction} policy selects {pod['labels']}: not default-deny"
    for policy in selecting:
        for rule in policy["spec"].get(key, []):
            peers = rule.get(peers_key)
            peer_ok = peers is None or any(
                _peer_allows(x, peer["labels"], peer["ns"]) for x in peers
            )
            if peer_ok and _port_allows(rule, port, pod["named"] if key == "ingress" else {}):
                return True
    return False


def _pod(variant: Manifests, kind: str, name: str) -> dict:
    workload = variant.get(kind, name)
    named = {
        p["name"]: p["containerPort"]
        for c in pod_spec(workload)["containers"]
        for p in c.get("ports", [])
    }
    return {
        "labels": workload["spec"]["template"]["metadata"]["labels"],
        "ns": {"kubernetes.io/metadata.name": NAMESPACE},
        "named": named,
    }


PODS = {
    "web": ("Deployment", "packamal-web"),
    "api": ("Deployment", "packamal-api"),
    "worker": ("Deployment", "packamal-worker"),
    "postgres": ("StatefulSet", "postgres"),
    "redis": ("Deployment", "redis"),
}
ALLOWED_PATHS = {
    ("web", "api", 8000),
    ("api", "postgres", 5432),
    ("api", "redis", 6379),
    ("worker", "postgres", 5432),
    ("worker", "redis", 6379),
}
ALL_PATHS = [
    (src, dst, port)
    for src in PODS
    for dst, port in (("api", 8000), ("postgres", 5432), ("redis", 6379), ("web", 80))
    if src != dst
]


@pytest.mark.parametrize(("src", "dst", "port"), ALL_PATHS)
def test_network_policies_allow_exactly_the_designed_paths(
    variant: Manifests, src: str, dst: str, port: int
):
    source, target = _pod(variant, *PODS[src]), _pod(variant, *PODS[dst])
    allowed = _allowed(variant, "egress", source, target, port) and _allowed(
        variant, "ingress", target, source, port
    )
    assert allowed == ((src, dst, port) in ALLOWED_PATHS)


def test_the_public_may_reach_web_and_every_pod_may_resolve_dns(variant: Manifests):
    outsider = {"labels": {}, "ns": {"kubernetes.io/metadata.name": "elsewhere"}, "named": {}}
    assert _allowed(variant, "ingress", _pod(variant, *PODS["web"]), outsider, 80)
    dns = {
        "labels": {"k8s-app": "kube-dns"},
        "ns": {"kubernetes.io/metadata.name": "kube-system"},
        "named": {},
    }
    for name in PODS:
        assert _allowed(variant, "egress", _pod(variant, *PODS[name]), dns, 53)


# --- package analysis (the `analyze` task) ----------------------------------------------

ANALYSIS_VARIABLES = {  # docs/design.md "Package analysis": the defaults, stated in the ConfigMap
    "ANALYSIS_UPLOAD_MAX_BYTES": 50 * 2**20,
    "ANALYSIS_MAX_ARTIFACT_BYTES": 100 * 2**20,
    "ANALYSIS_MAX_UNPACKED_BYTES": 512 * 2**20,
    "ANALYSIS_MAX_FILES": 20000,
    "ANALYSIS_TIMEOUT_SECONDS": 300,
}


def _quantity(value: str) -> int:
    units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30}
    return int(value[:-2]) * units[value[-2:]] if value[-2:] in units else int(value)


def _egress_to_ip(variant: Manifests, pod: dict, ip: str, port: int) -> bool:
    """Does some egress rule of a policy selecting `pod` allow `ip`:`port` (ipBlock peers)?"""
    import ipaddress

    address = ipaddress.ip_address(ip)
    for policy in variant.all("NetworkPolicy"):
        if not _matches(policy["spec"]["podSelector"], pod["labels"]):
            continue
        for rule in policy["spec"].get("egress", []):
            if not _port_allows(rule, port, {}):
                continue
            for peer in rule.get("to", []):
                block = peer.get("ipBlock")
                if not block or address not in ipaddress.ip_network(block["cidr"]):
                    continue
                if not any(address in ipaddress.ip_network(x) for x in block.get("except", [])):
                    return True
    return False


PUBLIC_IPS = ("203.0.113.7", "2001:db8::7")  # documentation ranges stand in for a registry
PRIVATE_IPS = ("10.1.2.3", "172.20.0.1", "192.168.1.1", "169.254.169.254", "127.0.0.1", "fd00::1")


def test_only_the_worker_and_an_object_store_client_reach_public_https(variant: Manifests):
    # The worker fetches from the registries; the api, with uploads in an object store
    # (ANALYSIS_UPLOAD_STORAGE=s3), sends them to its endpoint. No one else, never plain HTTP.
    public = {"worker"} | (
        {"api"} if variant.config()["ANALYSIS_UPLOAD_STORAGE"] == "s3" else set()
    )
    for name in PODS:
        pod = _pod(variant, *PODS[name])
        for ip in PUBLIC_IPS:
            assert _egress_to_ip(variant, pod, ip, 443) == (name in public), (name, ip)
            assert not _egress_to_ip(variant, pod, ip, 80), (name, ip)
        for ip in PRIVATE_IPS:  # nodes, pods, services, cloud metadata: never through this
            assert not _egress_to_ip(variant, pod, ip, 443), (name, ip)


def test_the_configmap_states_the_analysis_limits(variant: Manifests):
    config = variant.config()
    assert {k: int(config[k]) for k in ANALYSIS_VARIABLES} == ANALYSIS_VARIABLES
    assert config["ANALYSIS_SCRATCH_DIR"] == "/scratch"


def test_the_worker_unpacks_into_a_disk_scratch_volume_that_holds_the_limits(
    variant: Manifests,
):
    worker = variant.app("worker")
    spec = pod_spec(worker)
    container = spec["containers"][0]
    scratch_dir = variant.config()["ANALYSIS_SCRATCH_DIR"]
    (mount,) = [m for m in container["volumeMounts"] if m["mountPath"] == scratch_dir]
    (volume,) = [v for v in spec["volumes"] if v["name"] == mount["name"]]
    assert "medium" not in volume["emptyDir"], "on the node's disk, not in the pod's memory"
    size = _quantity(volume["emptyDir"]["sizeLimit"])
    config = variant.config()
    # The pipeline keeps one artifact and its unpacked tree at a time.
    needed = int(config["ANALYSIS_MAX_ARTIFACT_BYTES"]) + int(config["ANALYSIS_MAX_UNPACKED_BYTES"])
    assert needed <= size <= 2 * needed, (size, needed)


def test_uploads_live_where_the_api_and_every_worker_pod_reach_them(variant: Manifests):
    config = variant.config()
    assert config["ANALYSIS_UPLOAD_DIR"] == "/uploads"
    api, worker = pod_spec(variant.app("api")), pod_spec(variant.app("worker"))

    def volume_at(spec: dict, path: str) -> dict | None:
        mounts = [m for m in spec["containers"][0]["volumeMounts"] if m["mountPath"] == path]
        if not mounts:
            return None
        (volume,) = [v for v in spec["volumes"] if v["name"] == mounts[0]["name"]]
        return volume

    if config["ANALYSIS_UPLOAD_STORAGE"] == "volume":  # one node: a volume both mount
        pvc = variant.get("PersistentVolumeClaim", "uploads")
        stored = int(config["ANALYSIS_UPLOAD_STORE_MAX_BYTES"])
        assert _quantity(pvc["spec"]["resources"]["requests"]["storage"]) > stored
        for role, spec in (("api", api), ("worker", worker)):
            volume = volume_at(spec, "/uploads")
            assert volume and volume["persistentVolumeClaim"] == {"claimName": "uploads"}, role
    else:  # pods on several nodes: a bucket; no ReadWriteOnce claim that pins them to one
        assert config["ANALYSIS_UPLOAD_STORAGE"] == "s3"
        assert config["ANALYSIS_UPLOAD_S3_BUCKET"]
        assert config["ANALYSIS_UPLOAD_S3_ENDPOINT_URL"].startswith("https://")
        assert config["ANALYSIS_UPLOAD_S3_REGION"]
        secret_name = variant.secret("packamal-secrets")["metadata"]["name"]
        claims = [c["metadata"]["name"] for c in variant.all("PersistentVolumeClaim")]
        assert "uploads" not in claims, claims
        for spec in (api, worker):
            assert not any("persistentVolumeClaim" in v for v in spec["volumes"])
            env = {e["name"]: e for e in spec["containers"][0].get("env", [])}
            for key in ("ANALYSIS_UPLOAD_S3_ACCESS_KEY_ID", "ANALYSIS_UPLOAD_S3_SECRET_ACCESS_KEY"):
                ref = env[key]["valueFrom"]["secretKeyRef"]  # from the Secret, never the ConfigMap
                assert ref == {"name": secret_name, "key": key}
                assert key not in config
        assert volume_at(worker, "/uploads") is None  # it streams uploads into its scratch
        # The api spools the bodies it receives on its own disk: UPLOAD_CONCURRENCY of them,
        # each held twice (the raw body, then the file part).
        spool = volume_at(api, "/uploads")
        assert spool is not None and "medium" not in spool["emptyDir"]
        body = int(config["ANALYSIS_UPLOAD_MAX_BYTES"]) + 1024 * 1024
        needed = 2 * int(config["UPLOAD_CONCURRENCY"]) * body
        assert needed <= _quantity(spool["emptyDir"]["sizeLimit"])
    # nginx buffers every upload body in its /tmp before the api sees it.
    web = pod_spec(variant.app("web"))
    (tmp,) = [v for v in web["volumes"] if v["name"] == "tmp"]
    needed = 8 * (int(config["ANALYSIS_UPLOAD_MAX_BYTES"]) + 1024 * 1024)  # WEB_UPLOADS_TOTAL
    assert needed <= _quantity(tmp["emptyDir"]["sizeLimit"])
