# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ansible-rulebook itself runs the collection's example rulebook against the sandbox until its action fires.

Run by tests/ci/checks.d/55-eda.sh, with the collection installed from its release tarball in
ANSIBLE_COLLECTIONS_PATH and ansible-rulebook, ansible-core and a Java runtime on PATH / JAVA_HOME:

    python tests/eda/rulebook_e2e.py WORKDIR

1. The sandbox starts with a production pool whose agents already loaded a watched class
   (snakeyaml's Constructor): the source's baseline, which must fire nothing.
2. ansible-rulebook runs ``apiops.saas.reachability`` (the source polls every second).
3. After a few quiet reads, an agent reports loading log4j-core's JndiLookup.
4. The rule runs the ``apiops.saas.reachability_gate`` playbook, whose JSON report must say that
   finding is reachable. ansible-rulebook's output never shows the API key.
"""

from __future__ import annotations

import json
import os
import pathlib
import signal
import subprocess
import sys
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[2]
KEY = 'lrkey-EDA-e2e-6d1f0b93a7'
LOG4J = 'org.apache.logging.log4j:log4j-core'
JNDI = 'org.apache.logging.log4j.core.lookup.JndiLookup'
SNAKEYAML = 'org.yaml:snakeyaml'
CONSTRUCTOR = 'org.yaml.snakeyaml.constructor.Constructor'
SEED = {'lightrun': {
    'agent_pools': [{'name': 'production'}],
    'packages': [{'packageName': LOG4J, 'version': '2.14.1', 'classes': [JNDI]},
                 {'packageName': SNAKEYAML, 'version': '1.33', 'classes': [CONSTRUCTOR]}],
    'loaded_packages': [{'agent_pool': 'production', 'packageName': SNAKEYAML, 'version': '1.33', 'classes': [CONSTRUCTOR]}],
}}
SBOM = {
    'bomFormat': 'CycloneDX', 'specVersion': '1.5', 'version': 1,
    'metadata': {'component': {'type': 'application', 'name': 'shop', 'version': '1.0'}},
    'components': [
        {'type': 'library', 'group': 'org.apache.logging.log4j', 'name': 'log4j-core', 'version': '2.14.1',
         'purl': 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1'},
        {'type': 'library', 'group': 'org.yaml', 'name': 'snakeyaml', 'version': '1.33',
         'purl': 'pkg:maven/org.yaml/snakeyaml@1.33'},
    ],
}
FINDINGS = [{'id': 'CVE-2021-44228', 'severity': 'critical', 'purl': 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1',
             'classes': [JNDI]}]
# Generous bounds against a hung run on a loaded machine, not timing assumptions: each step ends on what it waits for.
START_LIMIT = 180
FIRE_LIMIT = 300


def log(message):
    sys.stderr.write('==> %s\n' % message)
    sys.stderr.flush()


class Sandbox:
    """The sandbox subprocess (run_sandbox.py) and its admin API."""

    def __init__(self, workdir):
        url_file = workdir / 'sandbox.url'
        env = dict(os.environ, SANDBOX_LIGHTRUN_KEY=KEY)
        self.process = subprocess.Popen([sys.executable, str(ROOT / 'tests' / 'sandbox' / 'run_sandbox.py'), '--port', '0',
                                         '--url-file', str(url_file), '--quiet'],
                                        stdout=subprocess.DEVNULL, stderr=open(workdir / 'sandbox.log', 'wb'), env=env)
        deadline = time.monotonic() + 60
        while not (url_file.exists() and url_file.read_text()):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit('the sandbox did not start: %s' % (workdir / 'sandbox.log').read_text())
            time.sleep(0.1)
        self.url = url_file.read_text()

    def admin(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request('%s/_sandbox/%s' % (self.url, path), data=data, method=method,
                                         headers={'Content-Type': 'application/json'})
        with urllib.request.urlopen(request, timeout=30) as answer:
            text = answer.read().decode()
        return json.loads(text) if text.strip() else None

    def reads(self):
        """How many times the loaded packages were read."""
        return sum(1 for r in self.admin('GET', 'requests?api=lightrun')['requests']
                   if r['method'] == 'GET' and r['path'] == '/api/v1/loaded-packages' and r['status'] == 200)

    def stop(self):
        self.process.terminate()
        self.process.wait(30)


def wait_for(what, condition, limit, rulebook):
    deadline = time.monotonic() + limit
    while not condition():
        if rulebook.poll() is not None:
            raise SystemExit('ansible-rulebook ended (exit %s) while waiting for %s' % (rulebook.returncode, what))
        if time.monotonic() > deadline:
            raise SystemExit('no %s within %d s' % (what, limit))
        time.sleep(0.5)


def stop(process):
    """Stop ansible-rulebook as a controller does (SIGTERM), then for good."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(30)


def main(workdir):
    workdir = pathlib.Path(workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    report_dir = workdir / 'report'
    output = workdir / 'ansible-rulebook.log'
    (workdir / 'bom.json').write_text(json.dumps(SBOM))
    (workdir / 'findings.json').write_text(json.dumps(FINDINGS))
    sandbox = Sandbox(workdir)
    rulebook = None
    try:
        sandbox.admin('POST', 'reset', SEED)
        # Only the variables the rulebook's header documents; the credentials stay in the environment.
        variables = {'agent_pool': 'production', 'interval': 1, 'sbom': str(workdir / 'bom.json'),
                     'findings': str(workdir / 'findings.json'), 'report_dir': str(report_dir),
                     'watched': [{'name': LOG4J, 'classes': [JNDI]}, {'name': SNAKEYAML, 'classes': [CONSTRUCTOR]}]}
        (workdir / 'vars.yml').write_text(json.dumps(variables))
        # The inventory the rulebook's header shows.
        (workdir / 'inventory.yml').write_text(json.dumps({'all': {'hosts': {'localhost': {
            'ansible_connection': 'local', 'ansible_python_interpreter': '{{ ansible_playbook_python }}'}}}}))
        env = dict(os.environ, LIGHTRUN_API_URL=sandbox.url + '/lightrun', LIGHTRUN_API_KEY=KEY, ANSIBLE_NOCOLOR='1')
        command = ['ansible-rulebook', '--rulebook', 'apiops.saas.reachability', '--vars', str(workdir / 'vars.yml'),
                   '--inventory', str(workdir / 'inventory.yml'), '--print-events']
        log('%s (sandbox %s)' % (' '.join(command), sandbox.url))
        with open(output, 'wb') as handle:
            rulebook = subprocess.Popen(command, cwd=str(workdir), env=env, stdout=handle, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, start_new_session=True)
        started = time.monotonic()
        wait_for('baseline read', lambda: sandbox.reads() >= 1, START_LIMIT, rulebook)
        log('baseline read after %.1f s' % (time.monotonic() - started))
        first = sandbox.reads()
        # A few quiet reads: what was loaded before the start (snakeyaml's watched class) fires nothing.
        wait_for('three more reads', lambda: sandbox.reads() >= first + 3, 60, rulebook)
        if report_dir.exists():
            raise SystemExit('the rule fired before anything new was loaded (the baseline made an event)')
        loaded_at = time.monotonic()
        sandbox.admin('POST', 'seed', {'lightrun': {'loaded_packages': [
            {'agent_pool': 'production', 'packageName': LOG4J, 'version': '2.14.1', 'classes': [JNDI]}]}})
        report = report_dir / 'reachability.json'
        wait_for('report from the rule\'s playbook', report.exists, FIRE_LIMIT, rulebook)
        # The JSON report is the play's last file: wait until ansible-rulebook says the playbook ended.
        wait_for('end of the playbook', lambda: b'PLAY RECAP' in output.read_bytes(), 120, rulebook)
        log('the rule fired and its playbook wrote the report %.1f s after the class was loaded' % (time.monotonic() - loaded_at))
        content = json.loads(report.read_text())
        found = [f for f in content['findings'] if f['name'] == LOG4J]
        assert content['counts']['reachable'] == 1 and found and found[0]['reachable'], content
        assert content['report_only'] is True, content
        text = output.read_text(errors='replace')
        assert 'classes_loaded' in text and JNDI in text, 'the event is not in the output of --print-events'
        assert text.count('"change": "classes_loaded"') + text.count("'change': 'classes_loaded'") == 1, \
            'expected exactly one classes_loaded event:\n' + text[-4000:]
        assert KEY not in text, 'the API key is in the output of ansible-rulebook'
        assert 'failed=0' in text, text[-4000:]
        log('ansible-rulebook end to end: passed in %.1f s' % (time.monotonic() - started))
    except BaseException:
        if output.exists():
            sys.stderr.write('--- last lines of %s ---\n%s\n' % (output, output.read_text(errors='replace')[-6000:]))
        raise
    finally:
        if rulebook is not None:
            stop(rulebook)
        sandbox.stop()


if __name__ == '__main__':
    main(sys.argv[1])
