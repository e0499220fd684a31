#!/usr/bin/env bash
# Creates the comparison venvs for bench/throughput.py: one per tool, so their pins never meet synthpipe's.
#   bash bench/setup_venvs.sh            # all three
#   bash bench/setup_venvs.sh openai     # only some
# No venv may pull a CUDA torch: torch is pinned to the CPU wheel in /opt/wheels when one is asked for.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venvs="$here/.venvs"
python="${PYTHON:-python3}"
tools=("$@")
[ ${#tools[@]} -eq 0 ] && tools=(curator distilabel openai)

pip_extra=()
if [ -f /opt/wheels/torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl ]; then
  # `torch==2.13.0+cpu` only matches the local CPU wheel, never PyPI's CUDA build.
  mkdir -p "$venvs"
  echo "torch==2.13.0+cpu" > "$venvs/constraints.txt"
  pip_extra=(--find-links /opt/wheels -c "$venvs/constraints.txt")
fi

declare -A modules=([curator]="bespokelabs.curator" [distilabel]="distilabel.pipeline, requests" [openai]="openai")
for tool in "${tools[@]}"; do
  case "$tool" in
    curator) pkgs=(bespokelabs-curator uvloop) ;;
    # distilabel 1.5.3 imports `requests` without declaring it (newer `datasets` no longer brings it)
    distilabel) pkgs=("distilabel[openai]" requests uvloop) ;;
    openai) pkgs=(openai uvloop) ;;
    *) echo "unknown tool $tool (curator | distilabel | openai)" >&2; exit 2 ;;
  esac
  echo "== $tool: ${pkgs[*]}"
  "$python" -m venv "$venvs/$tool"
  # (grep drops the pip-config notes about absent local index folders)
  "$venvs/$tool/bin/pip" install -q --upgrade pip 2>&1 | grep -v 'is ignored' || true
  "$venvs/$tool/bin/pip" install -q "${pip_extra[@]}" "${pkgs[@]}" 2>&1 | grep -v 'is ignored' || true
  "$venvs/$tool/bin/python" -c "import ${modules[$tool]}" || { echo "$tool: install failed" >&2; exit 1; }
  # A CUDA torch drags in nvidia-* wheels (gigabytes); refuse to leave one behind.
  if "$venvs/$tool/bin/pip" list 2>/dev/null | grep -qi '^nvidia-'; then
    echo "$tool: a CUDA package was installed — pin torch==2.13.0 (CPU wheel in /opt/wheels)" >&2
    exit 1
  fi
  "$venvs/$tool/bin/pip" list 2>/dev/null | grep -iE '^(bespokelabs-curator|distilabel|openai|torch|litellm|aiohttp|httpx) ' || true
done
