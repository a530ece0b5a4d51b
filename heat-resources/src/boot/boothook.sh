#!/bin/sh
# Heat's boot hook (heat-rs). heat-cfntools installed from a package may not
# have its /opt/aws/bin links yet; templates call cfn-init and the other
# tools there.
if command -v cfn-create-aws-symlinks >/dev/null 2>&1; then
    cfn-create-aws-symlinks
fi
# A boot hook that fails stops cloud-init: this one always succeeds.
exit 0
