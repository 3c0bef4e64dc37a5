"""Drive the Infrahub simulator with the real Python SDK (infrahub-sdk) and print what it saw.

Run by tools/infrahub-sim/test/python-sdk.spec.ts, which starts the simulator and asserts on the
JSON printed here. Nothing is asserted in this script: it reports, the Jest test judges.

usage: sdk_interop.py <address> <api-token> <username> <password> <access-token-ttl-seconds> <branch-name> <extension.json>

<extension.json> is schema/synapse-extension.yml converted to JSON (the venv has no YAML parser); the
SDK's offline schema validator checks it.
"""

from __future__ import annotations

import json
import sys
import time
import traceback

from infrahub_sdk import Config, InfrahubClientSync
from infrahub_sdk.exceptions import GraphQLError
from infrahub_sdk.schema.validate import validate_schema
from infrahub_sdk.timestamp import Timestamp


def device_summary(client: InfrahubClientSync, branch: str | None = None) -> dict[str, dict]:
    devices = client.all(kind="DcimDevice", branch=branch)
    return {
        d.name.value: {
            "id": d.id,
            "hfid": d.hfid,
            "display_label": d.display_label,
            "role": d.role.value,
            "status": d.status.value,
            "description": d.description.value,
            "deployment_state": d.deployment_state.value,
            "last_change_id": d.last_change_id.value,
        }
        for d in devices
    }


def run(address: str, token: str, username: str, password: str, ttl: float, branch_name: str, extension_path: str) -> dict:
    report: dict = {}

    # 0. The schema extension, against the SDK's own (offline) schema-file contract.
    with open(extension_path, encoding="utf-8") as handle:
        verdict = validate_schema(json.load(handle))
    report["extension_validation"] = {
        "valid": verdict.valid,
        "errors": [f"{e.field}: {e.message}" for e in verdict.errors],
        "warnings": [f"{w.field}: {w.message}" for w in verdict.warnings],
    }

    # 1. API token.
    client = InfrahubClientSync(config=Config(address=address, api_token=token, timeout=10))
    report["version"] = client.get_version()
    report["main_devices"] = device_summary(client)

    leaf = client.get(kind="DcimDevice", name__value="leaf01")
    leaf.asn.fetch()
    leaf.platform.fetch()
    report["leaf01"] = {"asn": leaf.asn.peer.asn.value, "asn_label": leaf.asn.peer.display_label, "platform": leaf.platform.peer.name.value}

    sessions = client.filters(kind="RoutingBGPSession", device__name__value="leaf01", prefetch_relationships=True)
    report["leaf01_sessions"] = sorted(
        [
            {
                "description": s.description.value,
                "local_ip": str(s.local_ip.peer.address.value),
                "remote_ip": str(s.remote_ip.peer.address.value),
                "remote_as": s.remote_as.peer.asn.value,
                "peer_group": s.peer_group.peer.name.value,
            }
            for s in sessions
        ],
        key=lambda s: s["local_ip"],
    )
    interfaces = client.filters(kind="InterfacePhysical", device__name__value="spine01")
    report["spine01_interfaces"] = sorted(i.name.value for i in interfaces)

    # Synapse's policy kinds: filters with __values, component relationships, an IPNetwork attribute.
    report["policies"] = {}
    for policy in client.filters(kind="SynapseRoutingPolicy", name__values=["import-loopbacks", "export-loopbacks", "not-defined"]):
        policy.statements.fetch()
        statements = []
        for related in policy.statements.peers:
            statement = related.peer
            statement.match_prefix_set.fetch()
            statements.append(
                {
                    "name": statement.name.value,
                    "sequence": statement.sequence.value,
                    "action": statement.action.value,
                    "prefix_set": statement.match_prefix_set.peer.name.value if statement.match_prefix_set.id else None,
                }
            )
        report["policies"][policy.name.value] = {"default_action": policy.default_action.value, "statements": statements}
    entries = client.filters(kind="SynapsePrefixSetEntry", prefix_set__name__value="loopbacks")
    report["loopbacks"] = [[str(e.prefix.value), e.mask_length_range.value] for e in entries]

    # 2. A branch and writes on it: a branch-aware attribute stays there, the
    #    branch-agnostic audit data (deployment state, change records) is shared.
    branch = client.branch.create(branch_name=branch_name, description="SDK interop", sync_with_git=False)
    report["branch"] = {"name": branch.name, "is_default": branch.is_default, "origin_branch": branch.origin_branch}
    on_branch = client.get(kind="DcimDevice", name__value="leaf01", branch=branch_name)
    time.sleep(0.01)
    before_write = Timestamp()
    time.sleep(0.01)
    on_branch.description.value = "edited on the branch"
    on_branch.deployment_state.value = "deploying"
    on_branch.last_change_id.value = "chg-sdk-1"
    on_branch.save()
    record = client.create(
        kind="SynapseChangeRecord",
        branch=branch_name,
        data={
            "change_id": "chg-sdk-1",
            "change_kind": "standard",
            "requester": "sdk-interop",
            "reason": "interop test",
            "outcome": "deployed",
            "diff_summary": "1 changed",
            "started_at": "2026-11-28T10:00:00Z",
            "finished_at": "2026-11-28T10:01:00Z",
            "device": on_branch.id,
        },
    )
    record.save()
    report["change_record_id"] = record.id
    # Time travel: the SDK's `at` reads the branch as it was before the write.
    past = client.get(kind="DcimDevice", name__value="leaf01", branch=branch_name, at=before_write)
    report["leaf01_before_write"] = {"description": past.description.value, "deployment_state": past.deployment_state.value, "last_change_id": past.last_change_id.value}
    report["branch_devices"] = device_summary(client, branch=branch_name)
    report["main_devices_after"] = device_summary(client)
    report["change_records"] = {
        "branch": [r.change_id.value for r in client.all(kind="SynapseChangeRecord", branch=branch_name)],
        "main": [r.change_id.value for r in client.all(kind="SynapseChangeRecord")],
    }
    report["branches"] = sorted(client.branch.all().keys())

    # A dropdown value outside the choices is refused with Infrahub's message.
    bad = client.get(kind="DcimDevice", name__value="leaf02", branch=branch_name)
    bad.deployment_state.value = "exploded"
    try:
        bad.save()
        report["bad_dropdown"] = None
    except GraphQLError as error:
        report["bad_dropdown"] = error.errors[0]["message"]

    # 3. Username and password, reading main and the branch; then past the access token's lifetime.
    login_client = InfrahubClientSync(config=Config(address=address, username=username, password=password, timeout=10))
    report["login_main_devices"] = sorted(device_summary(login_client).keys())
    report["login_branch_leaf01"] = device_summary(login_client, branch=branch_name)["leaf01"]["deployment_state"]
    first_access_token = login_client.access_token
    time.sleep(ttl + 0.5)
    report["after_expiry_devices"] = sorted(device_summary(login_client).keys())
    report["access_token_renewed"] = login_client.access_token != first_access_token

    # 4. The branch deleted: what was branch-agnostic stays on main.
    report["branch_deleted"] = client.branch.delete(branch_name)
    report["after_delete"] = {
        "branches": sorted(client.branch.all().keys()),
        "change_records": [r.change_id.value for r in client.all(kind="SynapseChangeRecord")],
        "leaf01": device_summary(client)["leaf01"],
    }
    return report


def main() -> int:
    address, token, username, password, ttl, branch_name, extension_path = sys.argv[1:8]
    try:
        report = run(address, token, username, password, float(ttl), branch_name, extension_path)
        print(json.dumps({"ok": True, "report": report}))
        return 0
    except Exception as error:  # reported, not hidden: the Jest test prints it
        print(json.dumps({"ok": False, "error": f"{type(error).__name__}: {error}", "traceback": traceback.format_exc()}))
        return 1


if __name__ == "__main__":
    sys.exit(main())
