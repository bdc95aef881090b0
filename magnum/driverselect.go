package magnum

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/gomagnum/gomagnum/drivers"
)

// coeDrivers returns the network and volume drivers the enabled drivers
// of a COE accept, the default network driver first.
func (s *Service) coeDrivers(ctx context.Context, coe string) (network, volume []string, err error) {
	found := false
	for _, info := range s.drivers.Infos() {
		if !slices.ContainsFunc(info.Provides, func(t drivers.Tuple) bool { return t.COE == coe }) {
			continue
		}
		found = true
		network = appendNew(network, info.NetworkDrivers...)
		volume = appendNew(volume, info.VolumeDrivers...)
	}
	if !found {
		return nil, nil, invalidf("Requested COE type %s is not supported.", coe)
	}
	return network, volume, nil
}

func appendNew(list []string, items ...string) []string {
	for _, it := range items {
		if !slices.Contains(list, it) {
			list = append(list, it)
		}
	}
	return list
}

// checkDrivers applies Magnum's network and volume driver rules to a
// template, defaulting its network driver.
func (s *Service) checkDrivers(ctx context.Context, t *ClusterTemplate) error {
	network, volume, err := s.coeDrivers(ctx, t.COE)
	if err != nil {
		return err
	}
	if t.NetworkDriver == "" && len(network) > 0 {
		t.NetworkDriver = network[0]
	}
	if t.NetworkDriver != "" && !slices.Contains(network, t.NetworkDriver) {
		return invalidf("Network driver type %s is not supported, expecting a %s network driver.",
			t.NetworkDriver, strings.Join(append(network, "unspecified"), "/"))
	}
	if t.VolumeDriver != "" && !slices.Contains(volume, t.VolumeDriver) {
		return invalidf("Volume driver type %s is not supported, expecting a %s volume driver.",
			t.VolumeDriver, strings.Join(append(volume, "unspecified"), "/"))
	}
	return nil
}

// driverFor returns the driver of a template's tuple.
func (s *Service) driverFor(ctx context.Context, t *ClusterTemplate) (drivers.Driver, error) {
	tuple := drivers.Tuple{ServerType: t.ServerType, OSDistro: t.ClusterDistro, COE: t.COE}
	d, err := s.drivers.Select(tuple)
	if errors.Is(err, drivers.ErrNoDriver) {
		return nil, invalidf("Cluster type %s not supported.", tuple)
	}
	return d, err
}

// driverErr maps a driver's error to the service's kinds, with the
// driver's own message.
func driverErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, drivers.ErrConflict):
		return &Error{Kind: ErrConflict, Message: driverMessage(err), Err: err}
	case errors.Is(err, drivers.ErrInvalid), errors.Is(err, drivers.ErrNotSupported):
		return &Error{Kind: ErrInvalid, Message: driverMessage(err), Err: err}
	case errors.Is(err, drivers.ErrUnavailable):
		return wrapErr(ErrUnavailable, err)
	}
	return err
}

// driverMessage is the message of a driver's error without the prefix
// its class puts in front ("invalid input: ", "not supported: ").
func driverMessage(err error) string {
	msg := err.Error()
	for _, class := range []error{drivers.ErrConflict, drivers.ErrInvalid, drivers.ErrNotSupported} {
		if rest, ok := strings.CutPrefix(msg, class.Error()+": "); ok {
			return rest
		}
	}
	return msg
}
