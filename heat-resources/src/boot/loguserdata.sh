#!/bin/sh
# Heat's provisioning step (heat-rs): runs the user data delivered as
# /var/lib/heat-cfntools/cfn-userdata, its output logged to
# /var/log/heat-provision.log; /var/lib/heat-cfntools/provision-finished is
# touched when it succeeded.
dir=/var/lib/heat-cfntools
log=/var/log/heat-provision.log
touch "$log" && chmod 600 "$log"
echo "Provision began: $(date)" >>"$log"
code=0
if [ -s "$dir/cfn-userdata" ]; then
    chmod 700 "$dir/cfn-userdata"
    "$dir/cfn-userdata" >>"$log" 2>&1 || code=$?
fi
echo "Provision done: $(date)" >>"$log"
if [ "$code" -ne 0 ]; then
    echo "Provision failed with exit code $code" >>"$log"
    exit "$code"
fi
touch "$dir/provision-finished"
