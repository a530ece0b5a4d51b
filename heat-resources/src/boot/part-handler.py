# part-handler
# Heat's part handler (heat-rs): cloud-init gives it each text/x-cfninitdata
# part of the user data, which it writes, under the part's filename, where
# heat-cfntools and os-collect-config read them: /var/lib/heat-cfntools
# (cfn-userdata, cfn-init-data, cfn-metadata-server, cfn-boto-cfg) and, for
# older heat-cfntools, /var/lib/cloud/data.
import datetime
import os

DIRECTORIES = ("/var/lib/heat-cfntools", "/var/lib/cloud/data")


def list_types():
    return ["text/x-cfninitdata"]


def handle_part(data, ctype, filename, payload):
    if ctype == "__begin__":
        for directory in DIRECTORIES:
            if not os.path.isdir(directory):
                os.makedirs(directory, 0o700)
        return
    if ctype == "__end__":
        return
    with open("/var/log/part-handler.log", "a") as log:
        log.write("%s filename:%s, ctype:%s\n"
                  % (datetime.datetime.now(), filename, ctype))
    if ctype == "text/x-cfninitdata":
        for directory in DIRECTORIES:
            with open(os.path.join(directory, filename), "w") as f:
                f.write(payload)
