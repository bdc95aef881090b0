package cloud

import "context"

type projectKey struct{}

// WithProject returns a context whose cloud calls act for a project:
// look-ups then see only what that project may use (public objects and its
// own), and fail with ErrForbidden on another project's private object.
// Without it, calls act with the service's own, unrestricted view.
func WithProject(ctx context.Context, projectID string) context.Context {
	return context.WithValue(ctx, projectKey{}, projectID)
}

// ProjectFrom returns the project set by WithProject.
func ProjectFrom(ctx context.Context) (string, bool) {
	p, ok := ctx.Value(projectKey{}).(string)
	return p, ok && p != ""
}

type trustorTokenKey struct{}

// WithTrustorToken returns a context carrying the Keystone token of the
// user who asked for a cluster, with which a real cloud creates the trust
// from that user to the cluster's trustee (Keystone lets only the trustor
// create a trust).
func WithTrustorToken(ctx context.Context, token string) context.Context {
	return context.WithValue(ctx, trustorTokenKey{}, token)
}

// TrustorTokenFrom returns the token set by WithTrustorToken.
func TrustorTokenFrom(ctx context.Context) (string, bool) {
	t, ok := ctx.Value(trustorTokenKey{}).(string)
	return t, ok && t != ""
}
