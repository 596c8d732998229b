"""Optimisers whose statistics live in shared memory, so every A3C worker updates the same ones.

A worker receives the optimiser together with the global model (one pickle keeps the parameter
identities), puts its local gradients into the global parameters' ``.grad`` and calls ``step()``.
All state tensors are allocated eagerly and moved to shared memory before the workers start, so
the running averages the paper shares between threads are shared between processes here. Updates
are lock-free (Hogwild), as in the paper.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import Tensor


class SharedOptimizer(torch.optim.Optimizer):
    """Base: eagerly allocated, shared per-parameter state, and ``set_lr`` for annealing."""

    state_names: tuple[str, ...] = ()

    def __init__(self, params: Iterable[Tensor], defaults: dict):
        super().__init__(params, defaults)
        for group in self.param_groups:
            for param in group["params"]:
                state = self.state[param]
                state["step"] = torch.zeros(())
                for name in self.state_names:
                    state[name] = torch.zeros_like(param, memory_format=torch.preserve_format)

    def share_memory(self) -> SharedOptimizer:
        for state in self.state.values():
            for tensor in state.values():
                tensor.share_memory_()
        return self

    def _gather(
        self, group: dict
    ) -> tuple[list[Tensor], list[Tensor], list[Tensor], list[list[Tensor]]]:
        """Parameters that have gradients, their gradients, step counts and named state."""
        params = [param for param in group["params"] if param.grad is not None]
        states = [self.state[param] for param in params]
        named = [[state[name] for state in states] for name in self.state_names]
        return params, [param.grad for param in params], [state["step"] for state in states], named

    def set_lr(self, lr: float) -> None:
        for group in self.param_groups:
            group["lr"] = lr


class SharedRMSprop(SharedOptimizer):
    """RMSprop exactly as in the A3C paper (section 4, "Optimization")::

        g <- alpha * g + (1 - alpha) * grad**2
        theta <- theta - lr * grad / sqrt(g + eps)

    Note ``eps`` sits inside the square root (``torch.optim.RMSprop`` adds it outside), which is
    why the paper's ``eps=0.1`` is a sensible value here.
    """

    state_names = ("square_avg",)

    def __init__(
        self, params: Iterable[Tensor], lr: float = 7e-4, alpha: float = 0.99, eps: float = 0.1
    ):
        super().__init__(params, {"lr": lr, "alpha": alpha, "eps": eps})

    @torch.no_grad()
    def step(self, closure=None):  # type: ignore[override]
        for group in self.param_groups:
            lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
            params, grads, steps, (square_avgs,) = self._gather(group)
            torch._foreach_add_(steps, 1)
            # The _foreach_ ops are torch.optim's multi-tensor kernels: one call per list.
            torch._foreach_mul_(square_avgs, alpha)
            torch._foreach_addcmul_(square_avgs, grads, grads, value=1 - alpha)
            denominators = torch._foreach_add(square_avgs, eps)
            torch._foreach_sqrt_(denominators)
            torch._foreach_addcdiv_(params, grads, denominators, value=-lr)


class SharedAdam(SharedOptimizer):
    """Adam (Kingma & Ba) with bias correction; the moments and step counts are shared."""

    state_names = ("exp_avg", "exp_avg_sq")

    def __init__(
        self,
        params: Iterable[Tensor],
        lr: float = 1e-4,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ):
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps})

    @torch.no_grad()
    def step(self, closure=None):  # type: ignore[override]
        for group in self.param_groups:
            lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
            params, grads, steps, (exp_avgs, exp_avg_sqs) = self._gather(group)
            torch._foreach_add_(steps, 1)
            # Workers share one step count per parameter; all parameters step together.
            step = steps[0].item()
            torch._foreach_lerp_(exp_avgs, grads, 1 - beta1)
            torch._foreach_mul_(exp_avg_sqs, beta2)
            torch._foreach_addcmul_(exp_avg_sqs, grads, grads, value=1 - beta2)
            denominators = torch._foreach_div(exp_avg_sqs, 1 - beta2**step)
            torch._foreach_sqrt_(denominators)
            torch._foreach_add_(denominators, eps)
            torch._foreach_addcdiv_(params, exp_avgs, denominators, value=-lr / (1 - beta1**step))


def make_optimizer(
    name: str, params: Iterable[Tensor], lr: float, rmsprop_alpha: float, rmsprop_eps: float
) -> SharedOptimizer:
    if name == "rmsprop":
        return SharedRMSprop(params, lr=lr, alpha=rmsprop_alpha, eps=rmsprop_eps)
    if name == "adam":
        return SharedAdam(params, lr=lr)
    raise ValueError(f"Unknown optimizer {name!r}; choose 'rmsprop' (the paper's) or 'adam'.")
