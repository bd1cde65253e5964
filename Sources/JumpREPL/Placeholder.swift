import JumpScript
