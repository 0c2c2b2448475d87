#!/usr/bin/env bash
# Checks Meridian's layer rules (../shared/DESIGN.md) on a source tree and on the link
# interfaces CMake resolved. Prints one "LAYER VIOLATION:" line per problem; exit 1 if any.
#   check_layers.sh SOURCE_ROOT LINK_REPORT
set -u
root=$1
links=$2
violations=0
report() { printf 'LAYER VIOLATION: %s\n' "$*"; violations=$((violations + 1)); }

scan() {  # scan REGEX DIR... : prints file:line:text of matching #include lines
  local regex=$1; shift
  local dirs=()
  for d in "$@"; do [ -d "$d" ] && dirs+=("$d"); done
  [ ${#dirs[@]} -gt 0 ] || return 0
  grep -rnE --include='*.cpp' --include='*.hpp' --include='*.h' --include='*.cc' --include='*.cxx' \
    "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]($regex)" "${dirs[@]}"
}

# Q-classes (<QString>), module headers and folders (<QtCore>, <QtWidgets/QWidget>),
# Qt's lower-case headers (<qglobal.h>), VTK's headers (<vtkX.h>, <vtk-9.1/...>).
qt_vtk='Q[A-Z][A-Za-z]*[>"]|Qt[A-Za-z0-9]*[>"/]|q[a-z0-9_]+\.h[>"]|vtk[A-Za-z0-9_]*\.h|vtk-[0-9.]+/'
torch='torch/|ATen/|c10/|caffe2/'

while IFS= read -r hit; do report "Qt/VTK header in a Qt-free layer: $hit"; done < <(scan "$qt_vtk" "$root/core" "$root/model")
while IFS= read -r hit; do report "torch header outside model/: $hit"; done < <(scan "$torch" "$root/core" "$root/viewers" "$root/ui" "$root/app")
while IFS= read -r hit; do report "torch header in a public model/ header (ui/ and app/ include these): $hit"; done \
  < <(scan "$torch" "$root/model/include")
# The model service (model/service) sits above model/ and may use core/io and core/project;
# model/ proper may not (the GPU machine's model-only build has neither), and the service
# reaches LibTorch only through model/'s torch-free headers.
while IFS= read -r hit; do report "core/io or core/project header in model/ proper (only model/service may): $hit"; done \
  < <(scan 'meridian/(io|project)/' "$root/model/include" "$root/model/src")
while IFS= read -r hit; do report "torch header in the model service (use model/'s torch-free headers): $hit"; done \
  < <(scan "$torch" "$root/model/service")

if [ ! -r "$links" ]; then
  report "link report $links is missing"
else
  while IFS= read -r line; do
    target=${line%%:*}
    libs=${line#*:}
    case "$target" in
      meridian_core|meridian_core_io|meridian_project|meridian_report|meridian_pacs|meridian_model|meridian_ui|meridian_model_service_loader) ;;
      *) continue ;;
    esac
    IFS=';' read -ra items <<<"$libs"
    for lib in "${items[@]}"; do
      lib=${lib#"${lib%%[![:space:]]*}"}  # the first item follows "target: " with its space
      lib=${lib%"${lib##*[![:space:]]}"}
      if [ "$target" = meridian_ui ] || [ "$target" = meridian_model_service_loader ]; then
        # The window and the loader reach the model only through the library opened on first
        # use: linking the model (or LibTorch) would map it at start.
        case "$lib" in
          meridian_model|meridian_model_service|meridian_cli_model|torch|*libtorch*)
            report "$target links $lib (the model is opened on first use, never linked)" ;;
        esac
        [ "$target" = meridian_ui ] && continue
      fi
      case "$lib" in
        Qt5::*|Qt6::*|Qt::*|*libQt5*|*libQt6*|VTK::*|*libvtk*|meridian_viewers|meridian_ui)
          report "$target links $lib (core and model must not link Qt, VTK or the GUI layers)" ;;
      esac
      if [ "$target" = meridian_model ]; then
        case "$lib" in
          meridian_core_io|meridian_project)
            report "$target links $lib (model/ proper stays off the readers and the project: the model service may)" ;;
        esac
      fi
    done
  done <"$links"
fi

if [ "$violations" -gt 0 ]; then
  echo "$violations layer violation(s). See 'Layers' in README.md."
  exit 1
fi
echo "layers: core/ and model/ free of Qt and VTK, torch only inside model/."
