#!/bin/bash
# magnum-node.sh: functions shared by the boot scripts of gomagnum's
# built-in drivers. It is sourced, never run. It reads:
#   AUTH_URL, TRUSTEE_USER_ID, TRUSTEE_PASSWORD, TRUST_ID  Keystone and the
#       cluster's trustee, to have certificates signed by the service;
#   MAGNUM_URL, CLUSTER_UUID, VERIFY_CA                     the service;
#   WAIT_CURL                                               the command that
#       signals this node's wait condition (Heat's curl_cli).

MAGNUM_CERT_DIR=${MAGNUM_CERT_DIR:-/etc/magnum/certs}
MAGNUM_TOKEN=""

magnum_log() {
	printf '%s magnum: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2
}

# magnum_json_escape TEXT: TEXT as the inside of a JSON string.
magnum_json_escape() {
	local s=$1
	s=${s//\\/\\\\}
	s=${s//\"/\\\"}
	s=${s//$'\n'/\\n}
	s=${s//$'\r'/}
	s=${s//$'\t'/\\t}
	printf '%s' "$s"
}

# magnum_curl ARGS...: curl that retries and honours VERIFY_CA.
magnum_curl() {
	local opts=(--silent --show-error --fail --location --retry 30 --retry-delay 5 --retry-connrefused)
	if [ "${VERIFY_CA:-true}" != "true" ]; then
		opts+=(--insecure)
	fi
	curl "${opts[@]}" "$@"
}

# magnum_fetch URL FILE [MODE]: downloads URL to FILE.
magnum_fetch() {
	local tmp
	tmp=$(mktemp "$2.XXXXXX")
	magnum_curl --output "$tmp" "$1"
	chmod "${3:-0644}" "$tmp"
	mv -f "$tmp" "$2"
}

# magnum_token: prints a Keystone token of the cluster's trustee, scoped to
# the trust when there is one.
magnum_token() {
	if [ -n "$MAGNUM_TOKEN" ]; then
		printf '%s' "$MAGNUM_TOKEN"
		return
	fi
	local scope="" body
	if [ -n "${TRUST_ID:-}" ]; then
		scope=',"scope":{"OS-TRUST:trust":{"id":"'"$TRUST_ID"'"}}'
	fi
	body='{"auth":{"identity":{"methods":["password"],"password":{"user":{"id":"'"$TRUSTEE_USER_ID"'","password":"'"$(magnum_json_escape "$TRUSTEE_PASSWORD")"'"}}}'"$scope"'}}'
	MAGNUM_TOKEN=$(magnum_curl --include -X POST -H 'Content-Type: application/json' \
		--data-binary "$body" "$AUTH_URL/auth/tokens" |
		awk 'tolower($1) == "x-subject-token:" { print $2 }' | tr -d '\r')
	if [ -z "$MAGNUM_TOKEN" ]; then
		magnum_log "Keystone gave no token to the trustee $TRUSTEE_USER_ID"
		return 1
	fi
	printf '%s' "$MAGNUM_TOKEN"
}

# magnum_pem: reads the service's certificate answer on stdin, prints the PEM.
magnum_pem() {
	local pem
	pem=$(sed -n 's/.*"pem": *"\([^"]*\)".*/\1/p')
	if [ -z "$pem" ]; then
		magnum_log "the service's answer holds no certificate"
		return 1
	fi
	printf '%b' "$pem"
}

# magnum_sign NAME CA_TYPE SUBJECT USAGE [SAN]: generates a key and a CSR
# on this node, has the service sign the CSR with the cluster's CA of type
# CA_TYPE (kubernetes, etcd, front_proxy) and writes NAME.key and NAME.crt
# under MAGNUM_CERT_DIR. USAGE is the extendedKeyUsage (clientAuth,
# serverAuth or both); SAN an openssl subjectAltName list.
magnum_sign() {
	local name=$1 ca_type=$2 subject=$3 usage=$4 san=${5:-}
	local key="$MAGNUM_CERT_DIR/$name.key" csr="$MAGNUM_CERT_DIR/$name.csr" token body
	mkdir -p "$MAGNUM_CERT_DIR"
	if [ ! -s "$key" ]; then
		(umask 077 && openssl genrsa -out "$key" 2048 2>/dev/null)
	fi
	local req=(openssl req -new -key "$key" -subj "$subject" -out "$csr"
		-addext "keyUsage=critical,digitalSignature,keyEncipherment"
		-addext "extendedKeyUsage=$usage")
	if [ -n "$san" ]; then
		req+=(-addext "subjectAltName=$san")
	fi
	"${req[@]}"
	token=$(magnum_token)
	body='{"cluster_uuid":"'"$CLUSTER_UUID"'","ca_cert_type":"'"$ca_type"'","csr":"'"$(awk '{ printf "%s\\n", $0 }' "$csr")"'"}'
	magnum_curl -X POST -H "X-Auth-Token: $token" -H 'Content-Type: application/json' \
		-H 'OpenStack-API-Version: container-infra latest' \
		--data-binary "$body" "$MAGNUM_URL/certificates" | magnum_pem >"$MAGNUM_CERT_DIR/$name.crt.new"
	mv -f "$MAGNUM_CERT_DIR/$name.crt.new" "$MAGNUM_CERT_DIR/$name.crt"
	rm -f "$csr"
}

# magnum_write_b64 VALUE FILE [MODE]: writes base64 VALUE decoded to FILE.
magnum_write_b64() {
	mkdir -p "$(dirname "$2")"
	printf '%s' "$1" | base64 -d >"$2.new"
	chmod "${3:-0644}" "$2.new"
	mv -f "$2.new" "$2"
}

# magnum_volume ID MOUNTPOINT: formats (once) and mounts the Cinder volume
# ID at MOUNTPOINT; an empty ID does nothing.
magnum_volume() {
	local id=$1 dir=$2 dev i
	if [ -z "$id" ]; then
		return 0
	fi
	dev=/dev/disk/by-id/virtio-${id:0:20}
	for i in $(seq 1 120); do
		[ -e "$dev" ] && break
		magnum_log "waiting for volume $id ($i)"
		sleep 5
	done
	if [ ! -e "$dev" ]; then
		magnum_log "volume $id never appeared"
		return 1
	fi
	if ! blkid "$dev" >/dev/null 2>&1; then
		mkfs.xfs -q "$dev"
	fi
	mkdir -p "$dir"
	if ! grep -q " $dir " /proc/mounts; then
		echo "$dev $dir xfs defaults,nofail 0 2" >>/etc/fstab
		mount "$dir"
	fi
}

# magnum_signal STATUS REASON: signals this node's wait condition.
magnum_signal() {
	local data
	data='{"status":"'"$1"'","reason":"'"$(magnum_json_escape "$2")"'","data":"'"$(hostname)"'"}'
	if [ -z "${WAIT_CURL:-}" ]; then
		magnum_log "no wait condition to signal: $1 $2"
		return 0
	fi
	# curl_cli is a shell command line with quoted headers: split it as such.
	eval "set -- $WAIT_CURL"
	"$@" --silent --retry 30 --retry-delay 5 --retry-connrefused --data-binary "$data" >/dev/null
}

# magnum_on_failure: signals FAILURE with the failing line; set as ERR trap.
magnum_on_failure() {
	local line=$1
	magnum_signal FAILURE "boot failed at line $line of $0" || true
}

# magnum_save_env FILE NAME...: saves the named variables as NAME=VALUE
# lines, read back by magnum_load_env.
magnum_save_env() {
	local file=$1 name
	shift
	mkdir -p "$(dirname "$file")"
	: >"$file.new"
	chmod 0600 "$file.new"
	for name in "$@"; do
		printf '%s=%s\n' "$name" "${!name:-}" >>"$file.new"
	done
	mv -f "$file.new" "$file"
}

# magnum_load_env FILE: exports every NAME=VALUE line of FILE; values are
# taken verbatim, to the end of the line.
magnum_load_env() {
	local line
	while IFS= read -r line || [ -n "$line" ]; do
		case $line in
		[A-Za-z_]*=*) export "${line%%=*}=${line#*=}" ;;
		esac
	done <"$1"
}

# magnum_node_ip: this node's private IPv4 address.
magnum_node_ip() {
	local ip
	ip=$(magnum_curl --retry 3 --max-time 5 http://169.254.169.254/latest/meta-data/local-ipv4 2>/dev/null || true)
	if [ -z "$ip" ]; then
		ip=$(ip -4 route get 1.1.1.1 | awk '{ for (i = 1; i < NF; i++) if ($i == "src") print $(i + 1) }')
	fi
	printf '%s' "$ip"
}

# magnum_public_ip: this node's floating IP, empty without one.
magnum_public_ip() {
	magnum_curl --retry 3 --max-time 5 http://169.254.169.254/latest/meta-data/public-ipv4 2>/dev/null || true
}

# magnum_rexray IMAGE PREEMPT: runs the rexray volume plugin of Docker in a
# container, on Cinder with the cluster trustee's credentials.
magnum_rexray() {
	local image=$1 preempt=$2
	mkdir -p /etc/rexray /var/lib/rexray /var/run/rexray /var/log/rexray
	cat >/etc/rexray/config.yml <<CFG
rexray:
  logLevel: info
libstorage:
  integration:
    volume:
      operations:
        mount:
          preempt: $preempt
  service: cinder
cinder:
  authUrl: $AUTH_URL
  userID: $TRUSTEE_USER_ID
  password: $TRUSTEE_PASSWORD
  trustID: $TRUST_ID
CFG
	chmod 0600 /etc/rexray/config.yml
	cat >/etc/systemd/system/rexray.service <<CFG
[Unit]
Description=rexray volume plugin for Docker
After=docker.service
Requires=docker.service

[Service]
ExecStartPre=-/usr/bin/docker rm -f rexray
ExecStart=/usr/bin/docker run --name rexray --privileged --net host --pid host -v /run/docker/plugins:/run/docker/plugins -v /var/lib/rexray:/var/lib/rexray -v /var/run/rexray:/var/run/rexray -v /dev:/dev -v /etc/rexray/config.yml:/etc/rexray/config.yml:ro $image start -f
ExecStop=/usr/bin/docker stop rexray
Restart=always
RestartSec=10

[Install]
WantedBy=multi-user.target
CFG
	systemctl daemon-reload
	systemctl enable rexray
	systemctl restart rexray
}
