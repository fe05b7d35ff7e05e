// The response header a demo pod names itself in, on every MCP answer: the balancer forwards it, so
// the scripted client can show which pod the balancer sent each of its requests to (the proof that
// a client's answer really reached a pod other than the one that asked).
export const POD_HEADER = 'x-demo-pod';
