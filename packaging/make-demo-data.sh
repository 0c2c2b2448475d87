#!/usr/bin/env bash
# Assembles Meridian's demo set from real images that Debian packages ship (installed by
# packaging/setup-debian.sh), and writes provenance.json beside them: package, version,
# licence, source path, SHA-256 and what was done to each file.
#   make-demo-data.sh [DEST]     (default: build/demo-data)
# Idempotent: a complete set with the same recipe version is left alone.
set -euo pipefail

recipe=3   # bump when the recipe below changes, so existing sets are rebuilt
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
dest=$(realpath -m "${1:-"$here/../build/demo-data"}")
py=/usr/bin/python3   # Debian's interpreter, where python3-numpy/-nibabel live

die() { printf 'make-demo-data: %s\n' "$*" >&2; exit 1; }

skimage=/usr/lib/python3/dist-packages/skimage/data
pydicom=/usr/lib/python3/dist-packages/pydicom/data/test_files
imageio=/usr/lib/python3/dist-packages/imageio/resources/images
nibabel=/usr/lib/python3/dist-packages/nibabel/tests/data
for f in "$skimage/retina.jpg" "$skimage/ihc.png" "$pydicom/CT_small.dcm" "$imageio/stent.npz" "$nibabel/anatomical.nii"; do
  [ -r "$f" ] || die "missing $f; run packaging/setup-debian.sh first (it installs the packages that carry the demo images)."
done
command -v vips >/dev/null || die "vips not found; run packaging/setup-debian.sh first (package libvips-tools)."
[ -x "$py" ] || die "$py not found; run packaging/setup-debian.sh first."

if [ -f "$dest/provenance.json" ] && grep -q "\"recipe\": $recipe," "$dest/provenance.json"; then
  echo "make-demo-data: demo set already complete in $dest"
  exit 0
fi

# Build in a scratch folder and move it into place at the end: an interrupted run never
# leaves a half-made set that looks complete.
mkdir -p "$(dirname "$dest")"
work=$(mktemp -d "$(dirname "$dest")/.demo-data.XXXXXX")
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT

cp "$skimage/retina.jpg" "$work/fundus-retina.jpg"
cp "$skimage/ihc.png" "$work/pathology-ihc.png"
cp "$pydicom/CT_small.dcm" "$work/ct-slice.dcm"
cp "$nibabel/anatomical.nii" "$work/mr-brain.nii"

# Whole slide: the IHC image enlarged 8x (bicubic) into a 4096x4096 tiled JPEG pyramid,
# the layout scanners write and OpenSlide reads as generic-tiff.
vips resize "$skimage/ihc.png" "$work/ihc-8x.v" 8 --kernel cubic
vips tiffsave "$work/ihc-8x.v" "$work/pathology-ihc-slide.tif" \
  --tile --pyramid --compression jpeg --Q 90 --tile-width 256 --tile-height 256
rm -f "$work/ihc-8x.v"

# Ultrasound cine (10 frames, RLE, PALETTE COLOR) and a 512x512 CT slice from Debian's
# octave-dicom test images. Only the .deb is fetched (apt-get download) and unpacked here:
# installing it would pull in Octave.
(cd "$work" && apt-get download -q octave-dicom >/dev/null 2>&1) ||
  die "cannot download octave-dicom from the Debian archive (apt-get download octave-dicom)"
octave_deb=$(ls "$work"/octave-dicom_*.deb)
octave_version=$(dpkg-deb -f "$octave_deb" Version)
dpkg-deb -x "$octave_deb" "$work/octave-dicom"
octave_data=$(find "$work/octave-dicom" -type d -name imdata | head -n 1)
cp "$octave_data/US-PAL-8-10x-echo.dcm" "$work/us-echo-cine.dcm"
cp "$octave_data/CT-MONO2-16-ankle.dcm" "$work/ct-ankle-512.dcm"
octave_copyright="$(find "$work/octave-dicom" -name copyright | head -n 1)"
octave_licence=$(grep -m1 -i '^License:' "$octave_copyright" | sed 's/^License: *//')
rm -rf "$work/octave-dicom" "$octave_deb"

# CT volume: imageio's stent.npz (abdominal CT, aortic stent) as NIfTI. The .npz stores
# no spacing or orientation: we assume 1 mm isotropic voxels and axial slices along
# the first array axis, and say so in provenance.json.
"$py" - "$imageio/stent.npz" "$work/ct-abdomen-stent.nii.gz" <<'PY'
import sys, numpy as np, nibabel as nib
volume = np.load(sys.argv[1])["arr_0"]            # (z, y, x) int16
data = np.ascontiguousarray(volume.transpose(2, 1, 0))  # NIfTI wants (x, y, z)
affine = np.diag([-1.0, -1.0, 1.0, 1.0])          # RAS affine of an LPS-aligned grid, 1 mm
nib.save(nib.Nifti1Image(data.astype(np.int16), affine), sys.argv[2])
PY

# The same CT as a DICOM series (256 axial slices, shuffled file names), so the demo also
# exercises series loading. Headers come from pydicom's CT_small.dcm (a real CT header);
# patient, study and series identity, geometry and pixels are replaced and say "demo".
"$py" - "$imageio/stent.npz" "$pydicom/CT_small.dcm" "$work/ct-abdomen-stent-dicom" <<'PY'
import copy, os, sys
import numpy as np
import pydicom
from pydicom.uid import generate_uid
volume = np.load(sys.argv[1])["arr_0"].astype(np.int16)  # (z, y, x)
template = pydicom.dcmread(sys.argv[2])
out = sys.argv[3]
os.makedirs(out)
study, series = generate_uid(), generate_uid()
names = np.random.default_rng(7).permutation(volume.shape[0])
for k in range(volume.shape[0]):
    ds = copy.deepcopy(template)
    for keyword in ("WindowCenter", "WindowWidth"):
        if keyword in ds:
            delattr(ds, keyword)
    ds.PatientName, ds.PatientID = "Demo^Stent", "DEMO-STENT"
    ds.StudyInstanceUID, ds.SeriesInstanceUID = study, series
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.StudyDescription, ds.SeriesDescription = "Meridian demo", "Abdomen CT, aortic stent (1 mm assumed)"
    ds.SeriesNumber, ds.InstanceNumber = 1, k + 1
    ds.Rows, ds.Columns = volume.shape[1], volume.shape[2]
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
    ds.RescaleSlope, ds.RescaleIntercept = 1, 0
    ds.PixelSpacing, ds.SliceThickness = [1.0, 1.0], 1.0
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.ImagePositionPatient = [0.0, 0.0, float(k)]
    ds.PixelData = volume[k].tobytes()
    ds.save_as(os.path.join(out, f"IM{names[k]:04d}.dcm"), write_like_original=False)
PY

version() { dpkg-query -W -f='${Version}' "$1"; }
sha() { sha256sum "$work/$1" | cut -d' ' -f1; }
cat > "$work/provenance.json" <<JSON
{
  "recipe": $recipe,
  "made_by": "packaging/make-demo-data.sh",
  "note": "Real images shipped by Debian packages; nobody on the Meridian team made them.",
  "items": [
    {"file": "fundus-retina.jpg", "title": "Colour fundus photograph, normal left eye", "modality": "fundus",
     "package": "python3-skimage", "version": "$(version python3-skimage)",
     "source": "$skimage/retina.jpg",
     "licence": "CC0 1.0 (Mikael Häggström, Wikimedia Commons; see skimage.data.retina)",
     "copyright_file": "/usr/share/doc/python3-skimage/copyright",
     "derivation": "copied unchanged", "sha256": "$(sha fundus-retina.jpg)"},
    {"file": "pathology-ihc.png", "title": "Colonic glands, IHC (FHL2, DAB) with haematoxylin", "modality": "pathology",
     "package": "python3-skimage", "version": "$(version python3-skimage)",
     "source": "$skimage/ihc.png",
     "licence": "no known copyright restrictions (CMMI; see skimage.data.immunohistochemistry)",
     "copyright_file": "/usr/share/doc/python3-skimage/copyright",
     "derivation": "copied unchanged", "sha256": "$(sha pathology-ihc.png)"},
    {"file": "pathology-ihc-slide.tif", "title": "Whole-slide pyramid built from the IHC image", "modality": "pathology",
     "package": "python3-skimage + libvips-tools", "version": "$(version python3-skimage) / vips $(version libvips-tools)",
     "source": "$skimage/ihc.png",
     "licence": "no known copyright restrictions (CMMI)",
     "copyright_file": "/usr/share/doc/python3-skimage/copyright",
     "derivation": "vips resize x8 (cubic) to 4096x4096, tiffsave tiled 256x256 JPEG Q90 pyramid; no microns-per-pixel recorded",
     "sha256": "$(sha pathology-ihc-slide.tif)"},
    {"file": "us-echo-cine.dcm", "title": "Echocardiography cine, 10 frames, palette colour, RLE", "modality": "US",
     "package": "octave-dicom", "version": "$octave_version",
     "source": "octave-dicom .deb: imdata/US-PAL-8-10x-echo.dcm (GDCM/NEMA sample)",
     "licence": "$octave_licence (octave-dicom package; see its copyright file)",
     "copyright_file": "/usr/share/doc/octave-dicom/copyright (inside the .deb)",
     "derivation": "copied unchanged", "sha256": "$(sha us-echo-cine.dcm)"},
    {"file": "ct-ankle-512.dcm", "title": "CT of an ankle shown as a 3D surface rendering (ImageType DERIVED\\\\SECONDARY\\\\3D), 512x512, 16-bit: a derived picture, not a slice", "modality": "CT",
     "package": "octave-dicom", "version": "$octave_version",
     "source": "octave-dicom .deb: imdata/CT-MONO2-16-ankle.dcm (GDCM/NEMA sample)",
     "licence": "$octave_licence (octave-dicom package; see its copyright file)",
     "copyright_file": "/usr/share/doc/octave-dicom/copyright (inside the .deb)",
     "derivation": "copied unchanged", "sha256": "$(sha ct-ankle-512.dcm)"},
    {"file": "ct-slice.dcm", "title": "CT slice (NEMA WG04 CT1_UNC, downsized to 128x128)", "modality": "CT",
     "package": "python3-pydicom", "version": "$(version python3-pydicom)",
     "source": "$pydicom/CT_small.dcm",
     "licence": "pydicom test data (MIT/Expat package licence); origin ftp://medical.nema.org/MEDICAL/Dicom/DataSets/WG04/",
     "copyright_file": "/usr/share/doc/python3-pydicom/copyright",
     "derivation": "copied unchanged", "sha256": "$(sha ct-slice.dcm)"},
    {"file": "ct-abdomen-stent.nii.gz", "title": "Abdominal CT with aortic stent, 128x128x256", "modality": "CT",
     "package": "python3-imageio", "version": "$(version python3-imageio)",
     "source": "$imageio/stent.npz",
     "licence": "BSD-2-Clause (imageio package); see copyright file",
     "copyright_file": "/usr/share/doc/python3-imageio/copyright",
     "derivation": "array (z,y,x) int16 written as NIfTI (x,y,z); voxel spacing ASSUMED 1 mm isotropic and orientation ASSUMED axial LPS (the .npz stores neither); values as stored (0..2000, not verified as HU)",
     "sha256": "$(sha ct-abdomen-stent.nii.gz)"},
    {"file": "ct-abdomen-stent-dicom", "title": "The same abdominal CT as a DICOM series of 256 slices", "modality": "CT",
     "package": "python3-imageio + python3-pydicom", "version": "$(version python3-imageio) / $(version python3-pydicom)",
     "source": "$imageio/stent.npz (pixels), $pydicom/CT_small.dcm (header template)",
     "licence": "BSD-2-Clause (imageio) and MIT/Expat (pydicom); see copyright files",
     "copyright_file": "/usr/share/doc/python3-imageio/copyright",
     "derivation": "one file per axial slice, shuffled file names, 1 mm spacing ASSUMED, patient/study/series replaced by demo identities, values as stored",
     "sha256": "(folder)"},
    {"file": "mr-brain.nii", "title": "T1 MR head volume, 33x41x25 at 2 mm", "modality": "MR",
     "package": "python3-nibabel", "version": "$(version python3-nibabel)",
     "source": "$nibabel/anatomical.nii",
     "licence": "MIT/Expat (nibabel package); see copyright file",
     "copyright_file": "/usr/share/doc/python3-nibabel/copyright",
     "derivation": "copied unchanged", "sha256": "$(sha mr-brain.nii)"}
  ]
}
JSON
"$py" -c 'import json,sys; json.load(open(sys.argv[1]))' "$work/provenance.json" || die "provenance.json is not valid JSON"

rm -rf "$dest"
mv "$work" "$dest"
trap - EXIT
echo "make-demo-data: demo set written to $dest"
