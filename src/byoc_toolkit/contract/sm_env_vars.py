"""The ``SM_*`` variables that sagemaker-training exports, so that scripts written for
SageMaker's framework images keep working under byoc.

The values follow ``sagemaker_training.environment.Environment.to_env_vars`` field by field;
the formatting and the split of SageMaker's own hyperparameters are sagemaker-training's
(``mapping``, ``params``). Its ``environment`` module is not imported: that import creates
directories and this one must not.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import shutil
import subprocess
from collections.abc import Mapping, MutableMapping
from typing import Any

from .hyperparameters import decode_all_untyped
from .paths import Paths
from .resources import HOMOGENEOUS_GROUP, ResourceConfig

#: How many SM_HP_<NAME> variables are exported. SageMaker allows 100 hyperparameters;
#: setting a variable scans the whole environment (glibc's setenv), so exporting one per key
#: of a 110,000-key hyperparameters.json took 45 s. SM_HPS holds them all regardless.
MAX_HYPERPARAMETER_VARIABLES = 1000
_HYPERPARAMETER_PREFIX = "SM_HP_"

_DISTRIBUTION_FLAGS = (
    "sagemaker_mpi_enabled",
    "sagemaker_parameter_server_enabled",
    "sagemaker_distributed_dataparallel_enabled",
    "sagemaker_pytorch_ddp_enabled",
    "sagemaker_pytorch_xla_multi_worker_enabled",
    "sagemaker_multi_worker_mirrored_strategy_enabled",
    "sagemaker_torch_distributed_enabled",
)


def sm_env_vars(paths: Paths, raw_hyperparameters: Mapping[str, str],
                input_data_config: Mapping[str, Any], resources: ResourceConfig,
                environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Every ``SM_*`` variable sagemaker-training would export for this job."""
    from sagemaker_training import mapping, params

    environ = os.environ if environ is None else environ
    split = mapping.split_by_criteria(decode_all_untyped(raw_hyperparameters),
                                      keys=params.SAGEMAKER_HYPERPARAMETERS,
                                      prefix=params.SAGEMAKER_PREFIX)
    sagemaker_hps, user_hps = split.included, split.excluded
    framework_params = {k: v for k, v in sagemaker_hps.items()
                        if k not in params.SAGEMAKER_HYPERPARAMETERS}

    resource_config = resources.raw or {"current_host": resources.current_host,
                                        "hosts": list(resources.hosts)}
    groups_config = resource_config.get("instance_groups", [])
    current_group = resource_config.get("current_group_name", HOMOGENEOUS_GROUP)
    instance_groups = [g["instance_group_name"] for g in groups_config]
    distribution_groups = framework_params.get(
        "sagemaker_distribution_instance_groups",
        [current_group] if any(framework_params.get(f, False) for f in _DISTRIBUTION_FLAGS)
        else [],
    )
    if groups_config:
        distribution_hosts = [h for g in groups_config
                              if g["instance_group_name"] in distribution_groups
                              for h in g["hosts"]]
    else:
        distribution_hosts = list(resources.hosts)
    master_hostname = (distribution_hosts or list(resources.hosts))[0]

    program = environ.get(params.USER_PROGRAM_ENV)
    module_name = program if program is not None else str(
        sagemaker_hps.get(params.USER_PROGRAM_PARAM, None))
    if module_name.endswith(".py"):
        module_name = module_name[:-3]
    mp_parameters = environ.get(params.SM_HP_MP_PARAMETERS)
    instance_type = resource_config.get("current_instance_type", "local")
    topology = resource_config.get("topology", []) or []

    properties: dict[str, Any] = {
        "additional_framework_parameters": framework_params,
        "channel_input_dirs": {c: str(paths.channel_dir(c)) for c in input_data_config},
        "current_host": resources.current_host,
        "current_instance_group": current_group,
        "current_instance_group_hosts": next(
            (g["hosts"] for g in groups_config if g["instance_group_name"] == current_group),
            []),
        "current_instance_type": instance_type,
        "distribution_hosts": distribution_hosts,
        "distribution_instance_groups": distribution_groups,
        "framework_module": environ.get(params.FRAMEWORK_TRAINING_MODULE_ENV),
        "hosts": list(resource_config["hosts"]),
        "hyperparameters": user_hps,
        "input_config_dir": str(paths.input_config_dir),
        "input_data_config": dict(input_data_config),
        "input_dir": str(paths.input_dir),
        "instance_groups": instance_groups,
        "instance_groups_dict": {g["instance_group_name"]: g for g in groups_config},
        "is_hetero": len(instance_groups) > 1,
        "is_master": resources.current_host == master_hostname,
        "is_modelparallel_enabled": mp_parameters and mp_parameters != "{}",
        "is_smddpmprun_installed": shutil.which("smddpmprun") is not None,
        "is_smddprun_installed": shutil.which("smddprun") is not None,
        "job_name": environ.get(params.TRAINING_JOB_ENV),
        "log_level": sagemaker_hps.get(params.LOG_LEVEL_PARAM, logging.INFO),
        "master_hostname": master_hostname,
        "model_dir": str(paths.model_dir),
        "module_dir": str(sagemaker_hps.get(params.SUBMIT_DIR_PARAM, str(paths.code_dir))),
        "module_name": module_name,
        "network_interface_name": resource_config.get("network_interface_name", "eth0"),
        "num_cpus": multiprocessing.cpu_count(),
        "num_gpus": count_gpus(),
        "num_neurons": _count_neuron_cores(instance_type),
        "output_data_dir": str(paths.output_data_dir),
        "output_dir": str(paths.output_dir),
        "output_intermediate_dir": str(paths.output_intermediate_dir),
        "resource_config": resource_config,
        "topology": topology,
        "user_entry_point": program or sagemaker_hps.get(params.USER_PROGRAM_PARAM),
    }
    exported = {key: properties[key] for key in (
        "hosts", "network_interface_name", "user_entry_point", "resource_config",
        "input_data_config", "output_data_dir", "current_host", "current_instance_type",
        "current_instance_group", "current_instance_group_hosts", "instance_groups",
        "instance_groups_dict", "distribution_instance_groups", "is_hetero", "module_name",
        "log_level", "framework_module", "input_dir", "input_config_dir", "output_dir",
        "num_cpus", "num_gpus", "num_neurons", "model_dir", "module_dir",
        "output_intermediate_dir")}
    exported.update(
        hps=user_hps,
        framework_params=framework_params,
        channels=sorted(input_data_config),
        training_env=properties,
        user_args=mapping.to_cmd_args(user_hps),
    )
    if topology:
        exported["topology"] = topology
    exported.update({f"channel_{c}": str(paths.channel_dir(c)) for c in input_data_config})
    exported.update({f"hp_{k}": v for k, v in user_hps.items()})
    variables: dict[str, str] = mapping.to_env_vars(exported)
    return variables


def export(variables: Mapping[str, str], environ: MutableMapping[str, str]) -> list[str]:
    """Set ``variables`` in ``environ`` (os.environ), in time linear in their number: the
    SM_HP_* variables beyond MAX_HYPERPARAMETER_VARIABLES, and variables that no environment
    can hold (a NUL character, an "=" in the name, a lone surrogate), are left out. Returns
    one warning for each thing left out."""
    warnings = []
    per_key = [name for name in variables if name.startswith(_HYPERPARAMETER_PREFIX)]
    left_out = set(per_key[MAX_HYPERPARAMETER_VARIABLES:])
    if left_out:
        warnings.append(f"{_HYPERPARAMETER_PREFIX}* variables are exported for the first "
                        f"{MAX_HYPERPARAMETER_VARIABLES} of {len(per_key)} hyperparameters "
                        "only (SageMaker allows 100); SM_HPS holds them all")
    for name, value in variables.items():
        if name in left_out:
            continue
        try:
            environ[name] = value
        except (ValueError, UnicodeError) as exc:
            warnings.append(f"{name[:100]!r} is not exported: {exc}")
    return warnings


def count_gpus() -> int:
    """The GPUs ``nvidia-smi --list-gpus`` lists; 0 without it."""
    if shutil.which("nvidia-smi") is None:
        return 0
    try:
        out = subprocess.run(["nvidia-smi", "--list-gpus"], capture_output=True, text=True,
                             check=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return 0
    return sum(1 for line in out.splitlines() if line.startswith("GPU "))


def _count_neuron_cores(instance_type: str) -> int:
    if "trn2.48xlarge" in instance_type:
        return 64
    if shutil.which("neuron-ls") is None:
        return 0
    try:
        out = subprocess.run(["neuron-ls", "-j"], capture_output=True, text=True, check=True,
                             timeout=30).stdout
        return sum(item.get("nc_count", 0) for item in json.loads(out))
    except (OSError, subprocess.SubprocessError, ValueError, AttributeError):
        return 0
