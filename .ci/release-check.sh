#!/usr/bin/env bash
# Rehearses a release without publishing, after bin/attest-test's verify build:
#  - builds again from clean with the release profile (./mvnw -P release deploy, signed by a
#    throwaway gpg key made here, -Dcentral.skipUpload=true: nothing leaves the machine);
#  - checks the staging bundle holds, for every published artifact, what Maven Central requires:
#    the POM, and for jar modules the jar, -sources.jar and -javadoc.jar, each signed (.asc,
#    verified here) and with checksums, plus the CycloneDX SBOM; and nothing unpublished;
#  - checks the POMs carry name, description, url, licenses, developers and scm;
#  - compares the library jars of this second clean build with the first, byte for byte.
set -euo pipefail
cd "$(dirname "$0")/.."
ci=false
[ "${CI:-}" = "true" ] && ci=true
version=$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' pom.xml | head -n 1)
libs=(attest-core attest-evidence attest-verify attest-tpm attest-cli)
poms=(attest-parent attest-bom)
fail() { echo "release-check: $*" >&2; exit 1; }

if ! command -v gpg >/dev/null 2>&1; then
  if [ "$ci" = true ]; then fail "gpg is missing (.ci/setup.d/15-gnupg.sh installs it)"; fi
  echo "release-check: skipped: gpg is not installed (apt-get install gnupg, or sudo bin/attest-test)"
  exit 0
fi

work=$(mktemp -d)
trap 'gpgconf --homedir "$work/gnupg" --kill all >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
mkdir -p "$work/first"
for m in "${libs[@]}"; do
  for f in "$m/target/$m-$version.jar" "$m/target/$m-$version-sources.jar" "$m/target/$m-$version-javadoc.jar" \
           "$m/target/$m-$version-cyclonedx.json"; do
    [ -f "$f" ] || fail "the verify build left no $f"
    cp "$f" "$work/first/"
  done
done
# A copy of the working tree elsewhere: a second clean build there must give byte-identical
# library jars (reproducible, whatever the folder), and the release rehearsal runs there, with
# the version set to the release's, so nothing in this tree changes.
mkdir "$work/src"
git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - 2>/dev/null | tar -xf - -C "$work/src"
pl=".,attest-bom,$(IFS=,; echo "${libs[*]}")"
(cd "$work/src" && ./mvnw -B -q -pl "$pl" package -DskipTests -Dmaven.install.skip=true)
same=0
for f in "$work"/first/*; do
  b=$(basename "$f")
  m=${b%-"$version"*}
  cmp -s "$f" "$work/src/$m/target/$b" || fail "two clean builds differ: $b (not reproducible)"
  same=$((same + 1))
done

export GNUPGHOME="$work/gnupg"
mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --pinentry-mode loopback --passphrase '' --quick-gen-key 'attest release rehearsal <rehearsal@attest.invalid>' ed25519 sign 1d
release=${version%-SNAPSHOT}
# Every POM names the one project version (the parent, the BOM and each module's parent).
find "$work/src" -name pom.xml -exec sed -i "s|<version>$version</version>|<version>$release</version>|" {} +
(cd "$work/src" && ./mvnw -B -q -P release -pl "$pl" clean deploy -DskipTests -Dmaven.install.skip=true -Dcentral.skipUpload=true)
version=$release
# The plugin stages into the first module of the reactor that carries it (the BOM).
bundle=$(find "$work/src" -path '*/target/central-publishing/central-bundle.zip' | head -n 1)
[ -n "$bundle" ] || fail "the release build left no central-bundle.zip"
mkdir "$work/bundle"
(cd "$work/bundle" && jar xf "$bundle")
need() {
  local f="$work/bundle/dev/attest/$1/$version/$2"
  [ -f "$f" ] || fail "the bundle lacks dev/attest/$1/$version/$2"
  for x in asc md5 sha1; do [ -f "$f.$x" ] || fail "the bundle lacks $2.$x"; done
  gpg --batch --quiet --verify "$f.asc" "$f" 2>/dev/null || fail "the signature of $2 does not verify"
  [ "$(md5sum < "$f" | cut -c1-32)" = "$(cut -c1-32 < "$f.md5")" ] || fail "the md5 of $2 does not match"
}
for a in "${poms[@]}" "${libs[@]}"; do
  need "$a" "$a-$version.pom"
done
for a in "${libs[@]}"; do
  for c in .jar -sources.jar -javadoc.jar -cyclonedx.json; do need "$a" "$a-$version$c"; done
done
for a in attest-bench attest-examples attest-device-agent attest-cloud-verifier attest-demo; do
  [ ! -e "$work/bundle/dev/attest/$a" ] || fail "the bundle holds $a, which is not published"
done
for a in attest-parent attest-bom; do
  p="$work/bundle/dev/attest/$a/$version/$a-$version.pom"
  for e in name description url licenses developers scm; do
    grep -q "<$e>\|<$e " "$p" || fail "$a's POM has no <$e>"
  done
done
for a in "${libs[@]}"; do
  p="$work/bundle/dev/attest/$a/$version/$a-$version.pom"
  for e in name description; do grep -q "<$e>" "$p" || fail "$a's POM has no <$e>"; done
  if grep -qi "todo" "$p"; then fail "$a's POM carries a TODO"; fi
done

echo "release-check: bundle complete and signed ($(find "$work/bundle" -type f | wc -l) files);" \
  "$same library artifacts byte-identical across two clean builds"
