"""template.yaml as the engine's single source of wiring: which handler serves which ${...}Arn, the
functions' environment, the state machines' ASL and substitutions, the control table and the EventBridge
rules that start machines."""

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cfnlint.decode import cfn_yaml


@dataclass(frozen=True)
class Function:
    logical_id: str
    handler: str  # "package.module.handler", relative to code_dir
    code_dir: Path
    environment: dict[str, Any]


@dataclass(frozen=True)
class StateMachine:
    logical_id: str
    definition_path: Path
    substitutions: dict[str, Any]
    event_patterns: list[dict[str, Any]] = field(default_factory=list)
    schedules: list[Any] = field(default_factory=list)  # Schedule events' expressions (may be a Ref)


@dataclass(frozen=True)
class Template:
    root: Path
    functions: dict[str, Function]
    state_machines: dict[str, StateMachine]
    resources: dict[str, Any]
    parameters: dict[str, Any]
    conditions: dict[str, Any]
    globals_function: dict[str, Any]

    @classmethod
    def load(cls, root: Path) -> "Template":
        doc = cfn_yaml.load(str(root / "template.yaml"))
        globals_ = doc.get("Globals", {}).get("Function", {})
        resources = doc["Resources"]
        functions, machines = {}, {}
        for logical_id, resource in resources.items():
            props = resource.get("Properties", {})
            if resource["Type"] == "AWS::Serverless::Function":
                env = {
                    **globals_.get("Environment", {}).get("Variables", {}),
                    **props.get("Environment", {}).get("Variables", {}),
                }
                code = root / props.get("CodeUri", globals_.get("CodeUri", "."))
                functions[logical_id] = Function(logical_id, props["Handler"], code, env)
            elif resource["Type"] == "AWS::Serverless::StateMachine":
                patterns = [
                    event["Properties"]["Pattern"]
                    for event in props.get("Events", {}).values()
                    if event["Type"] == "EventBridgeRule"
                ]
                schedules = [
                    event["Properties"]["Schedule"]
                    for event in props.get("Events", {}).values()
                    if event["Type"] == "Schedule"
                ]
                machines[logical_id] = StateMachine(
                    logical_id,
                    root / props["DefinitionUri"],
                    dict(props.get("DefinitionSubstitutions", {})),
                    patterns,
                    schedules,
                )
        return cls(
            root,
            functions,
            machines,
            dict(resources),
            doc.get("Parameters", {}),
            doc.get("Conditions", {}),
            globals_,
        )

    def definition(self, machine: StateMachine, resolve: "Resolver") -> str:
        """The ASL text with every ${Name} replaced, as CloudFormation would."""
        text = machine.definition_path.read_text()
        for name, value in machine.substitutions.items():
            text = text.replace("${" + name + "}", str(resolve(value)))
        if "${" in text:
            unresolved = text[text.index("${") :].split("}", 1)[0] + "}"
            raise ValueError(f"{machine.definition_path}: unresolved substitution {unresolved}")
        json.loads(text)
        return text

    def globals_environment(self) -> dict[str, Any]:
        return dict(self.globals_function.get("Environment", {}).get("Variables", {}))

    def of_type(self, resource_type: str) -> list[str]:
        return [logical for logical, resource in self.resources.items() if resource["Type"] == resource_type]

    def properties(self, logical_id: str) -> dict[str, Any]:
        return dict(self.resources[logical_id].get("Properties", {}))


class Resolver:
    """Resolves the intrinsic functions the template uses to the engine's names and ARNs. ``refs`` (Ref of
    each resource) and ``attributes`` ((logical id, attribute) → value) are the engine's live dicts."""

    def __init__(
        self,
        template: Template,
        region: str,
        account: str,
        refs: dict[str, str],
        attributes: dict[tuple[str, str], str],
        parameters: dict[str, str] | None = None,
    ):
        """``parameters``: values deployed instead of the defaults (``sam deploy --parameter-overrides``)."""
        self.refs, self.attributes, self.conditions = refs, attributes, template.conditions
        unknown = set(parameters or {}) - set(template.parameters)
        if unknown:
            raise ValueError(f"template.yaml has no parameter {', '.join(sorted(unknown))}")
        self.pseudo = {"AWS::Region": region, "AWS::AccountId": account, "AWS::Partition": "aws"}
        self.pseudo |= {name: str(p.get("Default", "")) for name, p in template.parameters.items()}
        self.pseudo |= parameters or {}

    def __call__(self, value: Any) -> Any:
        if not (isinstance(value, dict) and len(value) == 1):
            return value
        ((fn, arg),) = value.items()
        if fn == "Ref":
            return self.refs.get(arg, self.pseudo.get(arg, ""))
        if fn == "Fn::GetAtt":
            logical_id, attribute = arg if isinstance(arg, list) else arg.split(".", 1)
            return self.attributes[(logical_id, attribute)]
        if fn == "Fn::Sub":
            return re.sub(r"\$\{([^}]+)\}", lambda m: str(self._sub(m.group(1))), arg)
        if fn == "Fn::If":
            condition, when_true, when_false = arg
            return self(when_true if self.condition(condition) else when_false)
        if fn == "Fn::Equals":
            # CloudFormation compares the values as strings: Number parameters are "0", literals 0.
            return str(self(arg[0])) == str(self(arg[1]))
        return self._logical(fn, arg, value)

    def _logical(self, fn: str, arg: Any, value: Any) -> Any:
        """Fn::Not / And / Or over conditions, each operand a condition expression or {"Condition": name}."""
        if fn == "Condition":
            return self.condition(arg)
        if fn == "Fn::Not":
            return not self(arg[0])
        if fn == "Fn::And":
            return all(self(operand) for operand in arg)
        if fn == "Fn::Or":
            return any(self(operand) for operand in arg)
        return value

    def _sub(self, name: str) -> Any:
        if "." in name:
            return self({"Fn::GetAtt": name})
        return self({"Ref": name})

    def condition(self, name: str) -> bool:
        return bool(self(self.conditions[name]))
