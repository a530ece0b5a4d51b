"""Shared set-up for running the real OpenStack Heat engine in-process.

Imported first by gen.py and cases_gen.py (and, through gen.py, by
build_held.py).  It

* re-executes the interpreter with PYTHONHASHSEED=0: several of Heat's
  "first error" choices depend on set/dict-of-str iteration order, and with a
  fixed seed even the error *texts* of the visible corpus are reproduced;
* silences warnings and logging;
* puts the Heat source checkout first on sys.path ($HEAT_SRC, default
  /tmp/heatsrc; harmless when Heat is installed editable from it anyway);
* configures Heat with no /etc/heat/environment.d, no plugin dirs and no
  global template dir (so e.g. AWS::CloudWatch::Alarm, AWS::RDS::DBInstance
  and OS::Ceilometer::* are *not* registered, as in the corpus), then loads
  the global resource registry.

Nothing here needs a database, a message bus, keystone or any cloud.
"""
import atexit
import logging
import os
import shutil
import sys
import tempfile
import warnings

if os.environ.get('PYTHONHASHSEED') != '0':
    os.environ['PYTHONHASHSEED'] = '0'
    os.execv(sys.executable, [sys.executable] + sys.argv)

warnings.filterwarnings('ignore')
logging.disable(logging.CRITICAL)

HEAT_SRC = os.environ.get('HEAT_SRC', '/tmp/heatsrc')
if os.path.isdir(HEAT_SRC) and HEAT_SRC not in sys.path:
    sys.path.insert(0, HEAT_SRC)

from oslo_config import cfg  # noqa: E402

from heat.common import config as heat_config  # noqa: E402,F401
from heat.common import context as heat_context  # noqa: E402
from heat.engine import resources  # noqa: E402

# The label written into every output file.  It is the Heat version the
# visible corpus declares; the engine actually run is whatever $HEAT_SRC holds
# (see README.md: openstack/heat master 26.1.0.dev109 reproduces the corpus).
HEAT_VERSION = os.environ.get('HEAT_VERSION_LABEL', '27.0.1')

# Pseudo-parameter values of every generated stack (as in the corpus).
STACK_NAME = 'oracle_stack'
STACK_ID = '8c3a0b4e-6c50-4a43-9d4c-1b2e3f4a5b6c'
TENANT_ID = 'test_tenant_id'

_EMPTY = tempfile.mkdtemp(prefix='heat-oracle-empty-')
atexit.register(shutil.rmtree, _EMPTY, True)
cfg.CONF.set_default('environment_dir', _EMPTY)
cfg.CONF.set_default('plugin_dirs', [])
cfg.CONF.set_default('template_dir', os.path.join(_EMPTY, 'templates'))
resources.initialise()


def new_context():
    """A request context as heat.tests.utils.dummy_context() builds it."""
    return heat_context.RequestContext.from_dict({
        'tenant_id': TENANT_ID,
        'tenant': 'test_tenant',
        'username': 'test_username',
        'user_id': None,
        'password': '',
        'roles': [],
        'is_admin': False,
        'auth_url': 'http://server.test:5000/v2.0',
        'auth_token': 'abcd1234',
        'trust_id': None,
        'region_name': None,
    })
