# Sourced by .ci/train and .ci/test before they change folder: give SGD7_DATA one meaning.
# A relative SGD7_DATA is taken against the folder the command was started in and exported
# absolute, so the CLI, nbdev_test and every notebook kernel (which run in nbs/) read the same
# folder. A value that names no folder stops the command here, with the path and the fix.
if [ -n "${SGD7_DATA:-}" ]; then
  _d=$SGD7_DATA
  [ -f "$_d" ] && [ "$(basename "$_d")" = mnist_sample.tgz ] && _d=$(dirname "$_d")   # the archive itself: its folder
  if ! _abs=$(cd "$_d" 2>/dev/null && pwd); then
    echo "SGD7_DATA is $(realpath -m "$SGD7_DATA"), which is not a folder: point it at the folder that holds mnist_sample.tgz (and/or the Fashion-MNIST *-ubyte.gz files), or unset it to download the data" >&2
    exit 1
  fi
  export SGD7_DATA=$_abs
  unset _d _abs
fi
