"""Drive the Synapse device simulator with pygnmi, a third-party gNMI client.

Run by the Jest interop test (and usable by hand):
    python pygnmi_interop.py --address 127.0.0.1:57400 --config replace.json \
        --replace-path /interface[name=ethernet-1/1]
Credentials come from GNMI_USERNAME / GNMI_PASSWORD so they never appear in a
process listing. Prints one JSON document with what pygnmi saw; the test
asserts on it. Any pygnmi error ends the script non-zero with the message.
"""

import argparse
import json
import os
import sys

from pygnmi.client import gNMIclient


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--address", required=True, help="host:port of the gNMI target")
    parser.add_argument("--replace-path", required=True, help="path replaced by the Set")
    parser.add_argument("--config", required=True, help="JSON file with the value to replace with")
    parser.add_argument("--subscribe-path", required=True, help="path read by Subscribe ONCE")
    parser.add_argument("--ca", help="CA file for TLS; plaintext when absent")
    args = parser.parse_args()

    host, port = args.address.rsplit(":", 1)
    with open(args.config, encoding="utf-8") as f:
        replace_value = json.load(f)

    tls = {"path_root": args.ca} if args.ca else {"insecure": True}
    with gNMIclient(
        target=(host, int(port)),
        username=os.environ["GNMI_USERNAME"],
        password=os.environ["GNMI_PASSWORD"],
        gnmi_timeout=10,
        **tls,
    ) as client:
        capabilities = client.capabilities()
        before = client.get(path=["/"], datatype="config", encoding="json_ietf")
        set_response = client.set(replace=[(args.replace_path, replace_value)], encoding="json_ietf")
        after = client.get(path=[args.replace_path], datatype="config", encoding="json_ietf")

        once_updates = []
        subscription = {
            "subscription": [{"path": args.subscribe_path, "mode": "target_defined"}],
            "mode": "once",
            "encoding": "json_ietf",
        }
        synced = False
        subscriber = client.subscribe2(subscribe=subscription)
        try:
            # A ONCE stream ends after sync_response; pygnmi leaves closing to the caller.
            while not synced:
                response = subscriber.get_update(timeout=10)
                if response.get("sync_response"):
                    synced = True
                notification = response.get("update", {})
                # Paths are relative to the notification's prefix (gNMI 2.2.2.1); join them.
                prefix = notification.get("prefix", "")
                for update in notification.get("update", []):
                    full_path = "/".join(p for p in (prefix, update["path"]) if p)
                    once_updates.append({"path": full_path, "val": update.get("val")})
        finally:
            subscriber.close()

    print(
        json.dumps(
            {
                "capabilities": capabilities,
                "root_config": before,
                "set_response": set_response,
                "after_set": after,
                "subscribe_once": {"synced": synced, "updates": once_updates},
            },
            default=str,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
