#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Bash completion (completion/pcipass) against the code and this machine.

The completion file is sourced in a non-interactive bash, COMP_WORDS,
COMP_CWORD, COMP_LINE and COMP_POINT are set as bash sets them (the line
split at COMP_WORDBREAKS), _pcipass is called and COMPREPLY is compared
with what it must be:

  - commands and each command's options: the built CLI's help (user/cli.c
    prints it from the option tables the commands parse with);
  - --class names: user/pci/filter.c's table; --color words:
    user/lib/color.c's table; persist and hook
    subcommands: the strcmp()s of user/cmd/persist.c and user/cmd/hook.c;
  - PCI addresses, slots, IOMMU groups, drivers: read here from sysfs,
    on this machine's /sys and on a fixture tree (_pcipass_root) that
    has what a small VM may lack: groups, a second domain, multi-function
    and physical slots, claims.conf, Proxmox and libvirt VMs.

Each case group runs once on a plain bash and once with bash-completion
loaded (its _init_completion), for both roots.  Prints TAP, one line per
case group.

usage: completion_test.py [COMPLETION_FILE]   (default completion/pcipass)
"""
import collections
import os
import re
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
USER = os.path.join(TOP, 'user')
BASH_COMPLETION = '/usr/share/bash-completion/bash_completion'
WORDBREAKS = '"\'><=;|&(:'


def read(path):
    with open(path, encoding='utf-8') as f:
        return f.read()


# ---------------------------------------------------------------- the code

CLI = os.path.join(USER, 'pcipass')
OPT_LINE = re.compile(r'^  (?:-(\w), )?--([\w-]+)(?: (\S+))?  ')


def help_text(*args):
    """What the built CLI's help says (built from its option tables)."""
    r = subprocess.run([CLI, 'help', *args], capture_output=True, text=True)
    if r.returncode:
        raise SystemExit(f'pcipass help {" ".join(args)}: exit {r.returncode}:'
                         f' {r.stderr}')
    return r.stdout


def help_options(text, sections):
    """(words, {long: takes an argument}) of the help's option sections."""
    words, takes, on = set(), {}, False
    for line in text.splitlines():
        if not line.startswith(' '):
            on = line.rstrip(':') in sections
            continue
        m = OPT_LINE.match(line) if on else None
        if m:
            words.add('--' + m.group(2))
            takes[m.group(2)] = m.group(3) is not None
            if m.group(1):
                words.add('-' + m.group(1))
    return words, takes


def code_tables():
    """Commands and options from the CLI's own help (user/cli.c prints it
    from the tables the commands parse with), the rest from the sources."""
    overview = help_text()
    commands = re.findall(r'^  (\w[\w-]*)  ', overview.split('Commands:')[1]
                          .split('\n\n')[0], re.M)
    sources = {}
    for d, _, files in os.walk(USER):
        for f in files:
            if f.endswith('.c'):
                path = os.path.join(d, f)
                sources[os.path.relpath(path, USER)] = read(path)
    per_cmd = {name: help_options(help_text(name),
                                  ('Options', 'Global options '
                                   '(also before the command)'))
               for name in commands}
    per_cmd[''] = help_options(overview, ('Options (before or after COMMAND)',
                                          'Options before COMMAND only'))

    classes = re.findall(r'\{\s*"(\w+)",\s*0x',
                         re.search(r'filters\[\] = \{(.*?)\};',
                                   sources['pci/filter.c'], re.S).group(1))
    colors = re.findall(r'"(\w+)"', re.search(
        r'color_modes\[\] = \{(.*?)\};', sources['lib/color.c'], re.S).group(1))
    persist = set(re.findall(r'strcmp\(sub, "([\w-]+)"\)',
                             sources['cmd/persist.c']))
    hooks = set(re.findall(r'strcmp\(kind, "([\w-]+)"\)', sources['cmd/hook.c']))
    rom = set(re.findall(r'strcmp\(sub, "([\w-]+)"\)', sources['cmd/rom.c']))
    formats = set(re.findall(r'strcmp\(fmt, "([\w-]+)"\)', sources['cmd/export.c']))
    phases = set(re.findall(r'strcmp\(phase, "([\w-]+)"\)',
                            sources['hook/proxmox.c']))
    lv_ops = set(re.findall(r'strcmp\(op, "([\w-]+)"\)', sources['hook/libvirt.c']))
    lv_subs = set(re.findall(r'strcmp\(sub, "([\w-]+)"\)',
                             sources['hook/libvirt.c']))
    return dict(commands=commands, options=per_cmd,
                classes=classes, colors=colors, persist=persist, hooks=hooks,
                rom=rom, formats=formats, phases=phases,
                lv_ops=lv_ops, lv_subs=lv_subs)


# ---------------------------------------------------------------- the host

def listdir(path):
    try:
        return sorted(os.listdir(path))
    except FileNotFoundError:
        return []


def host_facts(root):
    """Addresses, slots, groups, drivers, ... under root, read here."""
    fns = [a for a in listdir(root + '/sys/bus/pci/devices')
           if re.fullmatch(r'[0-9a-f]{4,}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]', a)]
    per_slot = collections.Counter(a[:-2] for a in fns)
    slots = {s for s, n in per_slot.items() if n > 1}
    for s in listdir(root + '/sys/bus/pci/slots'):
        try:
            addr = read(f'{root}/sys/bus/pci/slots/{s}/address').strip()
        except OSError:
            continue
        if addr in per_slot:
            slots.add(addr)
    conf = []
    for name in ('claims.conf', 'sriov.conf'):
        try:
            for line in read(f'{root}/etc/pcipass/{name}').splitlines():
                if line.strip() and not line.lstrip().startswith('#'):
                    conf.append(line.split()[0])
        except OSError:
            pass
    pfs = {a for a in fns
           if os.path.exists(f'{root}/sys/bus/pci/devices/{a}/sriov_totalvfs')}
    return dict(
        addrs=set(fns) | slots, fns=set(fns), slots=slots, pfs=pfs,
        groups=set(listdir(root + '/sys/kernel/iommu_groups')),
        drivers=set(listdir(root + '/sys/bus/pci/drivers')),
        persisted=set(conf),
        vmids={f[:-5] for f in listdir(root + '/etc/pve/qemu-server')
               if f.endswith('.conf')},
        domains={f[:-4] for f in listdir(root + '/etc/libvirt/qemu')
                 if f.endswith('.xml')},
        nodes=set(listdir(root + '/etc/pve/nodes')))


def addr_matches(addrs, cur):
    """Full addresses starting with cur, else the short forms (domain 0)."""
    hit = {a for a in addrs if a.startswith(cur)}
    if not hit and cur:
        hit = {a[5:] for a in addrs
               if a.startswith('0000:') and a[5:].startswith(cur)}
    return hit


def make_fixture(d):
    """A host with what the test VM may lack."""
    def put(path, text=''):
        path = os.path.join(d, path)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w', encoding='utf-8') as f:
            f.write(text)

    for a in ('0000:00:00.0', '0000:00:1f.0', '0000:00:1f.3', '0000:00:1f.4',
              '0000:01:00.0', '0000:01:00.1', '0000:03:00.0', '0000:0a:00.0',
              '0001:02:00.0', '0001:02:00.1', '10000:e1:00.0'):
        put(f'sys/bus/pci/devices/{a}/vendor', '0x8086\n')
    put('sys/bus/pci/devices/0000:0a:00.0/sriov_totalvfs', '8\n')  # a PF
    put('sys/bus/pci/slots/5/address', '0000:03:00\n')   # one function
    put('sys/bus/pci/slots/6/address', '0000:04:00\n')   # empty slot
    put('sys/bus/pci/slots/7/address', '0000:05\n')      # no slot number
    put('sys/bus/pci/slots/8-1/address', '0001:02:00\n')
    for g in ('0', '1', '2', '12', '13', '100'):
        os.makedirs(f'{d}/sys/kernel/iommu_groups/{g}/devices')
    for drv in ('vfio-pci', 'pcieport', 'e1000e', 'nvme', 'snd_hda_intel'):
        os.makedirs(f'{d}/sys/bus/pci/drivers/{drv}')
    put('etc/pcipass/claims.conf',
        '# pcipass persisted claims\n\n'
        '0000:00:1c.0/00.0 10de:1eb8 dsn=0011 # 0000:01:00.0, IOMMU group 12\n'
        '0000:00:1c.0/00.1 10de:10f8 driver=vfio-pci\n')
    put('etc/pcipass/sriov.conf',
        '# pcipass persisted SR-IOV VF counts\n\n'
        '0000:00:06.0/00.0 1b36:0010 vfs=2  # 0000:0a:00.0\n')
    put('etc/pve/qemu-server/100.conf')
    put('etc/pve/qemu-server/101.conf')
    put('etc/pve/qemu-server/notes.txt')
    for n in ('pve1', 'pve2'):
        os.makedirs(f'{d}/etc/pve/nodes/{n}')
    put('etc/libvirt/qemu/win10.xml')
    put('etc/libvirt/qemu/debian.xml')


# ---------------------------------------------------------------- bash

def comp_words(line):
    """COMP_WORDS and COMP_CWORD as bash makes them for the cursor at the
    end of line: split at blanks, each run of other COMP_WORDBREAKS
    characters a word of its own."""
    words, cur, kind = [], '', None
    for ch in line:
        k = 'blank' if ch in ' \t\n' else 'break' if ch in WORDBREAKS else 'word'
        if k != kind and cur:
            words.append(cur)
            cur = ''
        if k != 'blank':
            cur += ch
        kind = k
    if cur:
        words.append(cur)
    else:
        words.append('')
    return words, len(words) - 1


def bash_word(line):
    """The part of the last word bash replaces: after its last break."""
    word = line.split(' ')[-1]
    cut = max(word.rfind(c) for c in WORDBREAKS)
    return word[cut + 1:], word[:cut + 1]


def shq(s):
    return "'" + s.replace("'", "'\\''") + "'"


def run_cases(completion, root, with_bc, lines):
    """{line: set(COMPREPLY)} from one bash run over every line."""
    script = []
    if with_bc:
        script.append(f'. {shq(BASH_COMPLETION)} || exit 9')
        script.append('declare -F _init_completion >/dev/null || exit 9')
    else:
        script.append('! declare -F _init_completion >/dev/null || exit 9')
    script.append(f'. {shq(completion)} || exit 8')
    script.append(f'_pcipass_root={shq(root)}' if root
                  else 'unset _pcipass_root')
    for i, line in enumerate(lines):
        words, cword = comp_words(line)
        script.append('COMPREPLY=()')
        script.append('COMP_WORDS=(' + ' '.join(shq(w) for w in words) + ')')
        script.append(f'COMP_CWORD={cword} COMP_LINE={shq(line)} '
                      f'COMP_POINT={len(line)} COMP_TYPE=9 COMP_KEY=9')
        script.append(f'_pcipass pcipass {shq(words[cword])} '
                      f'{shq(words[cword - 1])}')
        script.append(f"printf '@@ {i}\\n'; printf '%s\\n' \"${{COMPREPLY[@]}}\"")
    res = subprocess.run(['bash', '--norc', '--noprofile', '-s'],
                         input='\n'.join(script) + '\n', text=True,
                         capture_output=True, timeout=60,
                         env={'PATH': os.environ.get('PATH', '/usr/bin:/bin'),
                              'LC_ALL': 'C'})
    if res.returncode == 9:
        raise RuntimeError(f'{BASH_COMPLETION} missing or not loadable '
                           '(bash-completion: scripts/install-deps.sh)'
                           if with_bc else 'bash-completion loaded unasked')
    if res.returncode:
        raise RuntimeError(f'bash exited {res.returncode}: {res.stderr[-2000:]}')
    out, idx = {}, None
    for ln in res.stdout.split('\n'):
        if ln.startswith('@@ '):
            idx = int(ln[3:])
            out[lines[idx]] = set()
        elif idx is not None and ln:
            out[lines[idx]].add(ln)
    if len(out) != len(lines):
        raise RuntimeError(f'{len(out)} of {len(lines)} cases ran: {res.stderr[-2000:]}')
    return out


# ---------------------------------------------------------------- cases

def case_groups(code, host):
    """[(group name, {line: expected full words})]; the expected replies
    are those starting with the typed word, cut as bash cuts its word."""
    cmds = code['commands']
    opts = {c: o[0] for c, o in code['options'].items()}
    a = host['addrs']
    g = []

    g.append(('commands: main.c command table, after global options too', {
        'pcipass ': set(cmds), 'pcipass -j ': set(cmds),
        'pcipass --pretty ': set(cmds),
        **{f'pcipass {c[:2]}': {x for x in cmds if x.startswith(c[:2])}
           for c in cmds}}))
    g.append(('global options before the command; none after --help/-V', {
        'pcipass -': opts[''], 'pcipass --': opts[''],
        'pcipass --v': opts[''], 'pcipass -V ': set(),
        'pcipass --help ': set(), 'pcipass -h -': set()}))
    lines = {}
    for c in cmds:
        lines[f'pcipass {c} -'] = opts[c]
        lines[f'pcipass {c} --'] = opts[c]
        lines[f'pcipass -j {c} --'] = opts[c]
    lines['pcipass claim 01:00.0 -'] = opts['claim']
    g.append((f'options of each of the {len(cmds)} commands: their struct '
              'option arrays and CLI_SHORTOPTS', lines))

    cl = set(code['classes'])
    g.append(('--class values: user/pci/filter.c, comma lists, --class=, -cNAME', {
        'pcipass list --class ': cl, 'pcipass list -c ': cl,
        'pcipass list --class=': {'--class=' + c for c in cl},
        'pcipass list --cla=': {'--cla=' + c for c in cl},
        'pcipass list -j -c n': cl,
        'pcipass list -cn': {'-c' + c for c in cl},
        'pcipass list --class gpu,': {'gpu,' + c for c in cl - {'gpu'}},
        'pcipass list --class=net,gpu,': {'--class=net,gpu,' + c
                                          for c in cl - {'gpu', 'net'}},
        'pcipass list --class gpu ': set()}))
    co = set(code['colors'])
    g.append(('--color values: user/lib/color.c, --color=, -CWORD', {
        'pcipass list --color ': co, 'pcipass list -C ': co,
        'pcipass list --color=': {'--color=' + c for c in co},
        'pcipass list --color=al': {'--color=always'},
        'pcipass list -t -Ca': {'-Cauto', '-Calways'},
        'pcipass list --color never ': set()}))
    dr = host['drivers']
    g.append((f'--driver: the {len(dr)} PCI drivers in sysfs', {
        'pcipass claim --driver ': dr, 'pcipass claim -d ': dr,
        'pcipass claim -n --driver=': {'--driver=' + d for d in dr},
        'pcipass claim --dri ': dr,
        'pcipass claim -d v': dr}))
    gr = host['groups']
    g.append((f'--group: the {len(gr)} IOMMU groups in sysfs', {
        'pcipass claim --group ': gr, 'pcipass release -g ': gr,
        'pcipass claim --group=': {'--group=' + x for x in gr},
        'pcipass release -g 1': gr, 'pcipass claim -ng ': gr}))
    g.append((f'ADDR|SLOT: {len(host["fns"])} functions, '
              f'{len(host["slots"])} slots, groups for check', {
                  'pcipass show ': a, 'pcipass check ': a | gr,
                  'pcipass claim ': a, 'pcipass release ': a,
                  'pcipass -j claim -n -d vfio-pci ': a,
                  'pcipass release --timeout 5 ': a,
                  'pcipass claim --group 1 ': set(),
                  'pcipass release -g1 ': set(),
                  'pcipass show 0000:00:00.0 ': set(),
                  'pcipass claim 01:00 ': set(), 'pcipass host ': set(),
                  'pcipass list ': set(), 'pcipass version ': set(),
                  'pcipass monitor --count ': set()}))
    lines = {}
    for x in sorted(a):
        for n in (1, 2, 5, 8, 10, len(x)):
            lines[f'pcipass show {x[:n]}'] = addr_matches(a, x[:n])
            lines[f'pcipass check {x[:n]}'] = addr_matches(a, x[:n]) | gr
    g.append(('address prefixes, full form', lines))
    lines = {}
    for x in sorted(a):
        if x.startswith('0000:'):
            s = x[5:]
            for n in (2, 3, 5, 6, len(s)):
                if not any(y.startswith(s[:n]) for y in a):
                    lines[f'pcipass claim {s[:n]}'] = addr_matches(a, s[:n])
    if a and not lines:
        lines['pcipass show 00:'] = set()
    g.append(('short form BB:DD.F once no full address matches', lines))
    sub = code['persist']
    g.append(('persist: subcommands from cmd/persist.c, remove takes '
              'claims.conf paths and addresses', {
                  'pcipass persist ': sub, 'pcipass -j persist ': sub,
                  'pcipass persist --timeout 5 ': sub,
                  'pcipass persist remove ': host['persisted'] | a,
                  'pcipass persist remove 0000:01:00.0 ': host['persisted'] | a,
                  'pcipass persist list ': set(),
                  'pcipass persist wait -': opts['persist']}))
    pf = host['pfs']
    g.append((f'sriov: the {len(pf)} SR-IOV PFs (sriov_totalvfs), '
              'full or short form', {
                  'pcipass sriov ': pf,
                  'pcipass sriov --vfs 2 ': pf,
                  'pcipass -j sriov 0': addr_matches(pf, '0'),
                  'pcipass sriov 0a': addr_matches(pf, '0a'),
                  'pcipass sriov --driver ': host['drivers'],
                  'pcipass sriov --vfs ': set(),
                  'pcipass sriov 0000:0a:00.0 ': set()}))
    fn = host['fns']
    vga = '/usr/share/seabios/vgabios-std'
    g.append(('rom: subcommands from cmd/rom.c, functions for save and '
              '--for, file names', {
                  'pcipass rom ': code['rom'],
                  'pcipass rom save ': addr_matches(fn, ''),
                  'pcipass rom --force save 0': addr_matches(fn, '0'),
                  'pcipass rom check --for ': addr_matches(fn, ''),
                  'pcipass rom check -F 0': addr_matches(fn, '0'),
                  f'pcipass rom check {vga}': {vga + 'vga.bin'},
                  f'pcipass rom check -o {vga}': {vga + 'vga.bin'},
                  f'pcipass rom save 0000:00:00.0 {vga}': {vga + 'vga.bin'},
                  'pcipass rom check x.rom ': set(),
                  'pcipass rom save 0000:00:00.0 x.rom ': set()}))
    g.append(('export: formats from cmd/export.c', {
        'pcipass export ': code['formats'],
        'pcipass export -o /nonexistent/x ': code['formats'],
        'pcipass export nfd ': set(),
        'pcipass export proxmox-mapping ': set(),
        'pcipass export proxmox-mapping gpu ': host['addrs'],
        'pcipass export proxmox-mapping gpu 0000:01:00 0': addr_matches(
            host['addrs'], '0'),
        'pcipass export prometheus x ': set()}))
    units = os.path.join(TOP, 'boot', 'systemd', 'pcipass-')
    files = {os.path.join(os.path.dirname(units), f)
             for f in os.listdir(os.path.dirname(units))
             if f.startswith('pcipass-')}
    g.append(('export --output: file names', {
        f'pcipass export --output {units}': files,
        f'pcipass export prometheus -o {units}': files}))
    node = {os.uname().nodename.split('.')[0]} | host['nodes']
    g.append(('--node: this host and the cluster\'s nodes; drift FILE', {
        'pcipass export proxmox-mapping --node ': node,
        'pcipass drift -n ': node,
        f'pcipass drift {units}': files,
        'pcipass drift x ': set()}))
    g.append(('hook: VM managers from cmd/hook.c, VMIDs, domains', {
        'pcipass hook ': code['hooks'],
        'pcipass hook proxmox ': host['vmids'],
        'pcipass hook libvirt ': host['domains'],
        'pcipass hook proxmox 100 pre-start ': set(),
        'pcipass hook libvirt vm prepare begin - ': set()}))
    return g


def unknown_values(code):
    """Options taking a value this test has no cases for: a new one (say,
    one that takes a file) needs its completion and a case here."""
    known = {'class', 'color', 'driver', 'group', 'timeout', 'count', 'for',
             'output', 'node', 'vfs'}
    return sorted({f'{c} --{o}' for c, (_, takes) in code['options'].items()
                   for o, arg in takes.items() if arg and o not in known})


def superset_groups(code):
    """Lines whose replies must include what the code acts on."""
    return [('hook phases and libvirt operations the code acts on are offered', {
        'pcipass hook proxmox 100 ': code['phases'],
        'pcipass hook libvirt vm ': code['lv_ops'],
        'pcipass hook libvirt vm prepare ': code['lv_subs']})]


def expect(line, full):
    cur, cut = bash_word(line)
    word = cut + cur
    return {w[len(cut):] for w in full if w.startswith(word)}


def main():
    completion = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                                 os.path.join(TOP, 'completion', 'pcipass'))
    code = code_tables()
    unknown = unknown_values(code)
    n, fails = 1, bool(unknown)
    print(f'{"not ok" if unknown else "ok"} 1 every option that takes a value '
          f'has cases here{": not " + ", ".join(unknown) if unknown else ""}')
    with tempfile.TemporaryDirectory() as fixture:
        make_fixture(fixture)
        for root, rname in (('', 'this host /sys'), (fixture, 'fixture')):
            host = host_facts(root or '/')
            groups = case_groups(code, host)
            subs = superset_groups(code)
            lines = [ln for _, c in groups + subs for ln in c]
            for with_bc in (False, True):
                mode = 'bash-completion' if with_bc else 'plain bash'
                try:
                    got = run_cases(completion, root, with_bc, lines)
                except (RuntimeError, subprocess.TimeoutExpired) as e:
                    n += 1
                    fails += 1
                    print(f'not ok {n} {rname}, {mode}: bash run')
                    print('#   ' + str(e).replace('\n', '\n#   '))
                    continue
                checks = [(g, False) for g in groups] + [(g, True) for g in subs]
                for (name, cases), superset in checks:
                    bad = []
                    for line, full in cases.items():
                        want = expect(line, full)
                        have = got.get(line, set())
                        if not (want <= have if superset else want == have):
                            bad.append(f'{line!r}: missing {sorted(want - have)}'
                                       f', extra {sorted(have - want)}')
                    n += 1
                    fails += bool(bad)
                    print(f'{"not ok" if bad else "ok"} {n} {rname}, {mode}: '
                          f'{name} ({len(cases)} lines)')
                    for b in bad[:10]:
                        print('#   ' + b)
    print(f'1..{n}')
    print(f'{n - fails} passed, {fails} failed')
    return 1 if fails else 0


if __name__ == '__main__':
    sys.exit(main())
